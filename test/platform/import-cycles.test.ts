import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// A cycle of imports that exist at run time means one module of the ring runs before the other
// has finished loading: a constant read at load time is `undefined`, a class is not yet defined.
// It also says two modules are really one job cut badly. So none may exist under functions/.
// Type-only imports are erased by the compiler and cannot form such a cycle; they are left out.

const ROOT = path.resolve(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'functions');
const SKIPPED_DIRS = new Set(['node_modules']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveModule(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((file) => fs.existsSync(file));
}

/** Whether the compiler erases the import: `import type`, or only `type` specifiers. */
function isErasedImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false; // `import './x'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

function isErasedExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return (
    clause !== undefined &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((element) => element.isTypeOnly)
  );
}

/** The relative modules `file` loads when it runs: imports, re-exports and `require`. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !isErasedImport(node)) {
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      !isErasedExport(node)
    ) {
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
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

/**
 * A cycle for each import that leads back into the depth-first search's current path (so at
 * least one for every ring), each rotated to start at its first module by name.
 */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const seen = state.get(next);
      if (seen === 'open') {
        const ring = stack.slice(stack.indexOf(next));
        const start = ring.indexOf([...ring].sort()[0] ?? '');
        const rotated = [...ring.slice(start), ...ring.slice(0, start)];
        cycles.set(rotated.join(' → '), rotated);
      } else if (seen === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return [...cycles.values()];
}

const relative = (file: string) => path.relative(ROOT, file);

describe('imports under functions/', () => {
  const files = sourceFiles(FUNCTIONS);
  const graph = new Map(files.map((file) => [file, runtimeImports(file)]));

  it('form no cycle at run time', () => {
    const cycles = findCycles(graph).map((ring) => [...ring, ring[0] ?? ''].map(relative));
    expect(cycles.map((ring) => ring.join(' → '))).toEqual([]);
  });

  it('the check sees the imports (a known edge is in the graph)', () => {
    const automation = path.join(FUNCTIONS, 'automation', 'handler.ts');
    expect(files.length).toBeGreaterThan(50);
    expect((graph.get(automation) ?? []).map(relative)).toContain('functions/core/bot-replies.ts');
  });

  it('the check finds a cycle when there is one', () => {
    const [a, b, c] = ['a.ts', 'b.ts', 'c.ts'] as const;
    const ring = new Map<string, string[]>([
      [a, [b]],
      [b, [c]],
      [c, [a]],
    ]);
    expect(findCycles(ring)).toEqual([[a, b, c]]);
  });
});
