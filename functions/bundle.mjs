// Bundles each function into one file under <repo>/dist/bundles/: what a deployed instance (and
// the local stack) loads. Our code and zod are inlined, so a cold start neither resolves and
// reads a hundred-odd files nor evaluates the parts of zod no function uses (its ~50 locales,
// JSON Schema conversion); the SDKs stay in node_modules, loaded as they are. `index.js` is
// functions/index.ts with each `require('./<folder>')` replaced by loading that function's
// bundle, so FUNCTION_TARGET still loads exactly one function. Then each bundle is run once to
// write its V8 code cache beside it (functions/platform/code-cache.ts says why and how it is
// used); `--no-code-cache` skips that step.
//
//   node functions/bundle.mjs [--no-code-cache]     (part of `npm run build` and `gcp-build`)
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLES_DIR = path.join(root, 'dist/bundles');

/** The function folders functions/index.ts loads on demand (its dispatch table is the list). */
export function functionFolders() {
  const index = readFileSync(path.join(root, 'functions/index.ts'), 'utf8');
  return [...index.matchAll(/require\('\.\/([a-z-]+)'\)/g)].map((m) => m[1]);
}

/** Every runtime dependency but zod stays external: SDKs load from node_modules as before. */
function externalPackages() {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return Object.keys(pkg.dependencies).filter((name) => name !== 'zod');
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Linked source maps: stack traces name bundle lines; NODE_OPTIONS=--enable-source-maps maps
  // them back to functions/**/*.ts when debugging (off by default: it costs at start).
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
};

/** Builds every bundle; resolves to the milliseconds it took. */
export async function bundleFunctions() {
  const started = Date.now();
  const folders = functionFolders();
  const external = externalPackages();
  const dispatch = {
    name: 'dispatch-to-bundles',
    setup(b) {
      b.onResolve({ filter: /^\.\/[a-z-]+$/ }, (args) =>
        folders.includes(args.path.slice(2))
          ? { path: args.path.slice(2), namespace: 'function-bundle' }
          : undefined,
      );
      b.onResolve({ filter: /^\.\/code-cache\.js$/ }, (args) => ({
        path: args.path,
        external: true,
      }));
      b.onLoad({ filter: /.*/, namespace: 'function-bundle' }, (args) => ({
        contents:
          "const { loadFunctionBundle } = require('./code-cache.js');\n" +
          `loadFunctionBundle(require('node:path').join(__dirname, ${JSON.stringify(`${args.path}.js`)}));\n`,
        loader: 'js',
      }));
    },
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: [path.join(root, 'functions/index.ts')],
      outfile: path.join(BUNDLES_DIR, 'index.js'),
      external,
      plugins: [dispatch],
    }),
    build({
      ...common,
      entryPoints: [path.join(root, 'functions/platform/code-cache.ts')],
      outfile: path.join(BUNDLES_DIR, 'code-cache.js'),
      external,
    }),
    ...folders.map((folder) =>
      build({
        ...common,
        entryPoints: [path.join(root, 'functions', folder, 'index.ts')],
        outfile: path.join(BUNDLES_DIR, `${folder}.js`),
        external,
      }),
    ),
  ]);
  return Date.now() - started;
}

/** Values that pass each function's configuration; used only to write code caches. */
const CODE_CACHE_ENV = {
  GOOGLE_CLOUD_PROJECT: 'code-cache',
  BM_PARTNER_KEY: 'code-cache',
  BM_CLIENT_TOKEN: 'code-cache',
  BM_API_ROOT_URL: 'http://127.0.0.1:9/',
  PUBSUB_EMULATOR_HOST: '127.0.0.1:9',
  FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  METADATA_SERVER_DETECTION: 'none',
};

/**
 * Writes each bundle's code cache, from a fresh `node` per function (the flags and Node version
 * of this build are what the cache is valid for), two at a time. Resolves to the milliseconds it
 * took; rejects naming a function whose cache could not be written.
 */
export async function writeCodeCaches() {
  const started = Date.now();
  const pending = [...functionFolders()];
  const writer = async () => {
    for (let folder = pending.shift(); folder !== undefined; folder = pending.shift()) {
      const bundle = path.join(BUNDLES_DIR, `${folder}.js`);
      const script =
        `require(${JSON.stringify(path.join(BUNDLES_DIR, 'code-cache.js'))})` +
        `.writeCodeCache(${JSON.stringify(bundle)}); process.exit(0);`;
      await new Promise((resolve, reject) => {
        // A stand-in environment, enough for every function's wiring to complete (so its code
        // is in the cache too); nothing connects anywhere before a first request, and there is
        // none. Its output is not ours to show.
        const child = spawn(process.execPath, ['-e', script], {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: { PATH: process.env.PATH ?? '', FUNCTION_TARGET: folder, ...CODE_CACHE_ENV },
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0
            ? resolve(undefined)
            : reject(new Error(`code cache of ${folder}: exit ${code}\n${stderr}`)),
        );
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, os.availableParallelism()) }, writer));
  return Date.now() - started;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bundled = await bundleFunctions();
  const cached = process.argv.includes('--no-code-cache') ? undefined : await writeCodeCaches();
  console.log(
    `functions: dist/bundles/ (${functionFolders().length} functions) in ${bundled} ms` +
      (cached === undefined ? '' : `, code caches in ${cached} ms`),
  );
}
