import { readFileSync } from 'node:fs';
import path from 'node:path';

// The routing rules are described once, in the README's "Routing" table; the code points there.
// This keeps the two from drifting: the table names every reason `route()` can give, and only
// those, in the order the code first gives them.

const root = path.resolve(__dirname, '../..');

function readmeReasons(): string[] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Routing'),
    readme.indexOf('\n## ', readme.indexOf('## Routing') + 1),
  );
  return section
    .split('\n')
    .filter((line) => /^\| \d+ \|/.test(line))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
      return (cells[4] ?? '').replace(/`/g, '').replace(/N$/, '');
    });
}

function codeReasons(): string[] {
  const source = readFileSync(path.join(root, 'functions/core/routing.ts'), 'utf8');
  const found = [...source.matchAll(/reason: [`']([a-z-]+)(?:\$\{[^}]+\})?[`']/g)].map(
    (m) => m[1] ?? '',
  );
  return [...new Set(found)];
}

describe('the README’s routing table', () => {
  it('names every reason route() gives, in the order the code gives them', () => {
    const table = readmeReasons();
    expect(table.length).toBeGreaterThanOrEqual(14);
    expect([...new Set(table)]).toEqual(codeReasons());
  });
});
