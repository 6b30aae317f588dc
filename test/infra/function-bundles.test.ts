import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FUNCTIONS } from '../../functions/local/stack/config';
import { REPO_ROOT } from './support/fake-gcloud';

/**
 * What a deployment loads: package.json's main, dist/bundles/index.js, which loads the one bundle
 * FUNCTION_TARGET names, with its V8 code cache (functions/bundle.mjs builds both; `npm test`
 * runs it first, and this builds them when they are missing). The local stack loads the same
 * files, so the end-to-end suites run them; this checks their shape.
 */
const BUNDLES = path.join(REPO_ROOT, 'dist/bundles');
const read = (file: string): string => fs.readFileSync(path.join(BUNDLES, file), 'utf8');
const requiresOf = (text: string): string[] => [
  ...new Set([...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] as string)),
];
/** What the local stack gives every function (values only need to pass their configuration). */
const FUNCTION_ENV = {
  PATH: process.env.PATH ?? '',
  GOOGLE_CLOUD_PROJECT: 'bundle-test',
  BM_PARTNER_KEY: 'bundle-test',
  BM_CLIENT_TOKEN: 'bundle-test',
  BM_API_ROOT_URL: 'http://127.0.0.1:9/',
  PUBSUB_EMULATOR_HOST: '127.0.0.1:9',
  FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  METADATA_SERVER_DETECTION: 'none',
};

beforeAll(() => {
  if (fs.existsSync(path.join(BUNDLES, 'index.js'))) return;
  const built = spawnSync(process.execPath, [path.join(REPO_ROOT, 'functions/bundle.mjs')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`functions/bundle.mjs failed:\n${built.stderr}`);
}, 180_000);

describe('the function bundles (dist/bundles)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    main: string;
    dependencies: Record<string, string>;
  };

  it("are package.json's main: index.js loads each function's bundle through the code cache", () => {
    expect(pkg.main).toBe('dist/bundles/index.js');
    const index = read('index.js');
    expect(requiresOf(index).sort()).toEqual(['./code-cache.js', 'node:path']);
    expect(
      [...index.matchAll(/loadFunctionBundle\(.*?"([\w-]+)\.js"\)\)/g)].map((m) => m[1]).sort(),
    ).toEqual(FUNCTIONS.map((fn) => fn.folder).sort());
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

  /** Loads the package's main in a fresh `node`, as an instance starts. */
  const start = (target: string, script: string) =>
    execFileSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(path.join(REPO_ROOT, pkg.main))});${script}`],
      {
        cwd: REPO_ROOT,
        env: { ...FUNCTION_ENV, FUNCTION_TARGET: target },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );

  it('load alone: FUNCTION_TARGET picks one, and an unknown target names the known ones', () => {
    const registered = start(
      'webhook',
      "const t = require('@google-cloud/functions-framework/testing');" +
        `process.stdout.write(${JSON.stringify(FUNCTIONS.map((fn) => fn.name))}` +
        ".filter((n) => t.getFunction(n) !== undefined).join(','));",
    );
    expect(registered).toBe('webhook');
    expect(() => start('nope', '')).toThrow(
      /FUNCTION_TARGET=nope is not a function of this package/,
    );
  });

  it.each(FUNCTIONS.map((fn) => [fn.name, fn.folder] as const))(
    "%s starts with the build's code cache, which V8 accepts",
    (name, folder) => {
      const bundle = path.join(BUNDLES, `${folder}.js`);
      const use = execFileSync(
        process.execPath,
        [
          '-e',
          `process.stdout.write(require(${JSON.stringify(path.join(BUNDLES, 'code-cache.js'))})` +
            `.loadFunctionBundle(${JSON.stringify(bundle)}) + '\\n');`,
        ],
        { env: { ...FUNCTION_ENV, FUNCTION_TARGET: name }, encoding: 'utf8' },
      );
      // Other lines are the function's own start-up log (agentApi says how agents sign in).
      expect(use.split('\n').filter((l) => /^(accepted|rejected|stale|absent)$/.test(l))).toEqual([
        'accepted',
      ]);
    },
  );
});
