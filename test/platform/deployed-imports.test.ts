import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// What a deployed function loads: the modules reachable from its entry through imports that
// exist at run time (`import type` is erased) and `require` of relative paths. Development code
// (functions/local: the stack, the stand-in, seeding with its SDK clients) must never be among
// them: it would ship in every cold start, and run wherever a default pulls it in.

const ROOT = path.resolve(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'functions');
const ENTRIES = ['webhook', 'classifier', 'automation', 'live-agent', 'agent-api', 'sender'];

function resolveModule(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((file) => fs.existsSync(file));
}

/** The relative modules `file` loads when it runs. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require' &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.flatMap((s) => resolveModule(file, s) ?? []);
}

function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...runtimeImports(file));
  }
  return seen;
}

const relative = (file: string) => path.relative(ROOT, file);

describe('deployed functions load no development code', () => {
  it.each(ENTRIES)('functions/%s', (name) => {
    const loaded = [...loadedBy(path.join(FUNCTIONS, name, 'index.ts'))].map(relative);
    expect(loaded.length).toBeGreaterThan(3);
    expect(loaded.filter((file) => file.startsWith('functions/local/'))).toEqual([]);
  });

  it('the walk sees through re-exports (it finds what the local stack loads)', () => {
    const loaded = [...loadedBy(path.join(FUNCTIONS, 'local', 'stack', 'main.ts'))].map(relative);
    expect(loaded).toEqual(
      expect.arrayContaining([
        'functions/agent-api/dev-agent.ts',
        'functions/local/sample-agents.ts',
      ]),
    );
  });
});
