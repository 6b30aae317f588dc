import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './fake-gcloud';

/**
 * The functions the product deploys: its public contract, as README.md's function table states
 * it; a test checks the two still agree.
 */
export const CONTRACT_FUNCTIONS = [
  { target: 'webhook', kind: 'http', topic: undefined },
  { target: 'classifier', kind: 'event', topic: 'inbound' },
  { target: 'automation', kind: 'event', topic: 'automation' },
  { target: 'liveAgent', kind: 'event', topic: 'live-agent' },
  { target: 'agentApi', kind: 'http', topic: undefined },
  { target: 'sender', kind: 'event', topic: 'outbound' },
] as const;
export type ContractFunction = (typeof CONTRACT_FUNCTIONS)[number];

/** A gen2 function is a Cloud Run service, whose name is lowercase: liveAgent → live-agent. */
export const deploymentName = (target: string): string =>
  target.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const CONTRACT_FILE = path.resolve(REPO_ROOT, 'README.md');

/** Rows of README.md's function table (the section "Architecture"). */
export function readContractFile(): { target: string; kind: string; topic?: string }[] | undefined {
  if (!fs.existsSync(CONTRACT_FILE)) return undefined;
  const text = fs.readFileSync(CONTRACT_FILE, 'utf8');
  const section = text.split(/^## /m).find((s) => s.startsWith('Architecture'));
  if (!section) throw new Error(`${CONTRACT_FILE}: no "Architecture" section`);
  const rows: { target: string; kind: string; topic?: string }[] = [];
  for (const line of section.split('\n')) {
    const m = /^\|\s*`(\w+)`\s*\|\s*(HTTP|CloudEvent)\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const topic = /topic `([\w-]+)`/.exec(m[3] ?? '')?.[1];
    rows.push({
      target: m[1] ?? '',
      kind: m[2] === 'HTTP' ? 'http' : 'event',
      ...(topic ? { topic } : {}),
    });
  }
  return rows;
}

export const INDEX_FILE = path.join(REPO_ROOT, 'functions', 'index.ts');

/**
 * The FUNCTION_TARGET dispatch table of functions/index.ts, read from its source (never loaded,
 * which would load the functions): the keys of the one object literal whose every property is a
 * function, or the string cases of a switch. Undefined when the file does not exist yet.
 */
export function readDispatchTable(): string[] | undefined {
  if (!fs.existsSync(INDEX_FILE)) return undefined;
  const text = fs.readFileSync(INDEX_FILE, 'utf8');
  if (!text.includes('FUNCTION_TARGET')) {
    throw new Error(`${INDEX_FILE} does not dispatch on FUNCTION_TARGET`);
  }
  const source = ts.createSourceFile(INDEX_FILE, text, ts.ScriptTarget.ES2022, true);
  const tables: string[][] = [];
  const cases: string[] = [];
  const isFunction = (n: ts.Node) => ts.isArrowFunction(n) || ts.isFunctionExpression(n);
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node) && node.properties.length > 0) {
      const keys = node.properties.map((p) =>
        (ts.isPropertyAssignment(p) && isFunction(p.initializer)) || ts.isMethodDeclaration(p)
          ? propertyName(p.name)
          : undefined,
      );
      if (keys.every((k): k is string => k !== undefined)) tables.push(keys);
    }
    if (ts.isCaseClause(node) && ts.isStringLiteral(node.expression)) {
      cases.push(node.expression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (tables.length === 1 && cases.length === 0) return tables[0];
  if (tables.length === 0 && cases.length > 0) return cases;
  throw new Error(
    `cannot find one FUNCTION_TARGET dispatch table in ${INDEX_FILE} (found ${tables.length} ` +
      `object tables and ${cases.length} switch cases); keep it an object literal of loader ` +
      `functions keyed by entry point, or update test/infra/support/function-targets.ts`,
  );
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return undefined;
}
