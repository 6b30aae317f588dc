// Bundles each function into one file under <repo>/dist/bundles/: what a deployed instance (and
// the local stack) loads. Our code and zod are inlined, so a cold start neither resolves and
// reads a hundred-odd files nor evaluates the parts of zod no function uses (its ~50 locales,
// JSON Schema conversion); the SDKs stay in node_modules, loaded as they are. `index.js` is
// functions/index.ts with each `require('./<folder>')` pointing at that function's bundle, so
// FUNCTION_TARGET still loads exactly one function.
//
//   node functions/bundle.mjs            (part of `npm run build` and `gcp-build`)
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
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
          ? { path: `${args.path}.js`, external: true }
          : undefined,
      );
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ms = await bundleFunctions();
  console.log(`functions: dist/bundles/ (${functionFolders().length} functions) in ${ms} ms`);
}
