import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FUNCTIONS } from '../../functions/local/stack/config';
import { REPO_ROOT } from './support/fake-gcloud';

/**
 * What a deployment loads: package.json's main, dist/bundles/index.js, which loads the one bundle
 * FUNCTION_TARGET names (functions/bundle.mjs builds them; `npm test` runs it first). The local
 * stack loads the same files, so the end-to-end suites run them; this checks their shape.
 */
const BUNDLES = path.join(REPO_ROOT, 'dist/bundles');
const read = (file: string): string => {
  const full = path.join(BUNDLES, file);
  if (!fs.existsSync(full)) throw new Error(`${full} is missing: run \`npm run build\``);
  return fs.readFileSync(full, 'utf8');
};
const requiresOf = (text: string): string[] => [
  ...new Set([...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] as string)),
];

describe('the function bundles (dist/bundles)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    main: string;
    dependencies: Record<string, string>;
  };

  it("are package.json's main: index.js loads one bundle per function, and nothing else", () => {
    expect(pkg.main).toBe('dist/bundles/index.js');
    expect(requiresOf(read('index.js')).sort()).toEqual(
      FUNCTIONS.map((fn) => `./${fn.folder}.js`).sort(),
    );
  });

  it.each(FUNCTIONS.map((fn) => [fn.name, fn.folder] as const))(
    '%s inlines our code and zod, and requires only Node and the SDK packages',
    (_name, folder) => {
      const required = requiresOf(read(`${folder}.js`));
      const packages = Object.keys(pkg.dependencies).filter((d) => d !== 'zod');
      expect(
        required.filter((r) => !r.startsWith('node:') && !packages.includes(r)).sort(),
      ).toEqual([]);
    },
  );

  it.each(FUNCTIONS.map((fn) => [fn.name, fn.folder] as const))(
    "%s carries zod's English messages only, not its other locales",
    (_name, folder) => {
      const locales = [
        ...read(`${folder}.js`).matchAll(/^\/\/ node_modules\/zod\/v4\/locales\/([\w-]+)\.js$/gm),
      ].map((m) => m[1]);
      expect(locales.filter((l) => l !== 'index')).toEqual(['en']);
    },
  );

  it('load alone: FUNCTION_TARGET picks one, and an unknown target names the known ones', () => {
    const load = (target: string) =>
      execFileSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(path.join(REPO_ROOT, pkg.main))});` +
            'process.stdout.write(Object.keys(require.cache).filter((f) => f.includes("/dist/bundles/")).map((f) => f.split("/").pop()).sort().join(","))',
        ],
        {
          env: { ...process.env, FUNCTION_TARGET: target, GOOGLE_CLOUD_PROJECT: 'bundle-test' },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    expect(load('webhook')).toBe('index.js,webhook.js');
    expect(() => load('nope')).toThrow(/FUNCTION_TARGET=nope is not a function of this package/);
  });
});
