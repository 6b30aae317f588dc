import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './support/fake-gcloud';

// What `gcloud functions deploy --source=. --ignore-file=infra/deploy.gcloudignore` uploads,
// computed with the rules gcloud applies to a .gcloudignore (gitignore syntax: the last
// matching pattern wins, `!` re-includes, a trailing `/` matches directories only, a leading or
// inner `/` anchors the pattern to the source root, `*` stops at `/`, `**` crosses it, and
// nothing below an excluded directory can be re-included), and what `gcp-build` compiles.

interface Rule {
  negate: boolean;
  directoryOnly: boolean;
  regex: RegExp;
}

function parseIgnoreFile(text: string): Rule[] {
  return text.split('\n').flatMap((raw): Rule[] => {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('#')) return [];
    let pattern = line;
    const negate = pattern.startsWith('!');
    if (negate) pattern = pattern.slice(1);
    const directoryOnly = pattern.endsWith('/');
    if (directoryOnly) pattern = pattern.slice(0, -1);
    const anchored = pattern.includes('/');
    if (pattern.startsWith('/')) pattern = pattern.slice(1);
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i] as string;
      if (c === '*' && pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        source += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else if (c === '*') source += '[^/]*';
      else if (c === '?') source += '[^/]';
      else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return [
      { negate, directoryOnly, regex: new RegExp(anchored ? `^${source}$` : `(?:^|/)${source}$`) },
    ];
  });
}

function ignored(rules: Rule[], relative: string, isDirectory: boolean): boolean {
  let result = false;
  for (const rule of rules) {
    if (rule.directoryOnly && !isDirectory) continue;
    if (rule.regex.test(relative)) result = !rule.negate;
  }
  return result;
}

/** The files of `candidates` that are uploaded: excluded directories cut off their contents. */
function uploadSet(rules: Rule[], candidates: readonly string[]): string[] {
  return candidates.filter((file) => {
    const parts = file.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      if (ignored(rules, parts.slice(0, depth).join('/'), true)) return false;
    }
    return !ignored(rules, file, false);
  });
}

const rules = parseIgnoreFile(
  fs.readFileSync(path.join(REPO_ROOT, 'infra/deploy.gcloudignore'), 'utf8'),
);
// Every file of the workspace git knows (committed or not), and what a build leaves behind.
const workspace = [
  ...execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f !== '' && fs.existsSync(path.join(REPO_ROOT, f))),
  'node_modules/zod/package.json',
  'dist/functions/index.js',
  'dist/bundles/index.js',
  'dist/console/app.js',
  '.env',
];
const uploaded = uploadSet(rules, workspace);

describe('the deploy upload (infra/deploy.gcloudignore)', () => {
  it('follows gitignore rules (checked on the patterns it relies on)', () => {
    const r = parseIgnoreFile('/*\n!/functions/\n/functions/local/\nfunctions/**/*.test.ts\n');
    expect(uploadSet(r, ['a.txt', 'functions/x.ts', 'functions/local/y.ts'])).toEqual([
      'functions/x.ts',
    ]);
    expect(uploadSet(r, ['functions/core/z.test.ts', 'functions/core/z.ts'])).toEqual([
      'functions/core/z.ts',
    ]);
    // A file under an excluded directory cannot be re-included.
    expect(uploadSet(parseIgnoreFile('/x/\n!/x/keep.ts\n'), ['x/keep.ts'])).toEqual([]);
  });

  it('uploads the production functions, the console’s sources and what the build needs', () => {
    expect(uploaded).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        'tsconfig.json',
        'tsconfig.build.json',
        'tsconfig.deploy.json',
        'functions/index.ts',
        'functions/bundle.mjs',
        'functions/agent-api/index.ts',
        'functions/agent-api/console/build.mjs',
        'functions/agent-api/console/index.html',
        'functions/webhook/handler.ts',
        'functions/core/state-machine.ts',
      ]),
    );
  });

  it('uploads nothing from functions/local or functions/ops, no tests, no builds, no secrets', () => {
    const unwanted = uploaded.filter(
      (f) =>
        f.startsWith('functions/local/') ||
        f.startsWith('functions/ops/') ||
        f.startsWith('test/') ||
        f.startsWith('infra/') ||
        f.startsWith('node_modules/') ||
        f.startsWith('dist/') ||
        f.endsWith('.test.ts') ||
        f === '.env',
    );
    expect(unwanted).toEqual([]);
    expect(workspace.some((f) => f.startsWith('functions/local/'))).toBe(true);
  });
});

describe('the deploy build (gcp-build)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const project = /tsc -p (\S+)/.exec(pkg.scripts['gcp-build'] ?? '')?.[1];

  it('type-checks tsconfig.deploy.json, bundles the functions, then builds the console', () => {
    expect(project).toBe('tsconfig.deploy.json');
    expect(pkg.scripts['gcp-build']).toContain('functions/bundle.mjs');
    expect(pkg.scripts['gcp-build']).toContain('functions/agent-api/console/build.mjs');
  });

  it('compiles no development code, and only files that are uploaded', () => {
    const configFile = path.join(REPO_ROOT, project ?? 'missing');
    const { config } = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT);
    const compiled = parsed.fileNames.map((f) => path.relative(REPO_ROOT, f));
    expect(compiled).toContain('functions/index.ts');
    expect(compiled.filter((f) => /^functions\/(local|ops)\//.test(f))).toEqual([]);
    expect(compiled.filter((f) => !uploaded.includes(f))).toEqual([]);
  });
});
