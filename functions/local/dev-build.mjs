// The build behind `npm start` and `npm run simulate`: transpile only what changed since the
// last build, with esbuild, file by file (no type checking: `npm run typecheck` and CI do that).
// With nothing changed it costs a few stats, so re-running the simulator is quick; a full,
// type-checked build is `npm run build` (what `npm test`, the bench and deploys use).
import { transform } from 'esbuild';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sources = path.join(root, 'functions');
const consoleDir = path.join(sources, 'agent-api/console');
const out = path.join(root, 'dist/functions');

/** Every file under `dir`, recursively. */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : -1);
const started = Date.now();

const files = walk(sources).filter(
  (f) => !f.startsWith(consoleDir + path.sep) && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'),
);
let changed = 0;
const jobs = [];
for (const file of files) {
  const relative = path.relative(sources, file);
  if (file.endsWith('.ts')) {
    const target = path.join(out, relative.replace(/\.ts$/, '.js'));
    if (mtime(target) >= mtime(file)) continue;
    changed += 1;
    jobs.push(
      transform(readFileSync(file, 'utf8'), {
        loader: 'ts',
        format: 'cjs',
        target: 'node20',
        sourcemap: 'inline',
        // As tsc compiles them: `import()` of our own modules becomes `require`, which CommonJS
        // resolves without a file extension.
        supported: { 'dynamic-import': false },
        sourcefile: file,
      }).then((result) => {
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, result.code);
      }),
    );
  } else if (file.endsWith('.json')) {
    // Imported with resolveJsonModule: tsc copies them beside the JS, and so does this.
    const target = path.join(out, relative);
    if (mtime(target) >= mtime(file)) continue;
    changed += 1;
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
}
await Promise.all(jobs);

// The function bundles the stack loads (package.json's main): rebuilt when a source changed.
const { BUNDLES_DIR, bundleFunctions } = await import(path.join(sources, 'bundle.mjs'));
if (changed > 0 || !existsSync(path.join(BUNDLES_DIR, 'index.js'))) {
  await bundleFunctions();
  changed += 1;
}

// The console: rebuilt when any of its sources is newer than its bundle.
const bundle = path.join(root, 'dist/console/app.js');
const consoleChanged = walk(consoleDir).some((f) => mtime(f) > mtime(bundle));
if (consoleChanged) {
  await import(path.join(consoleDir, 'build.mjs'));
  changed += 1;
}
if (changed > 0 || process.env.BM_BUILD_VERBOSE) {
  process.stderr.write(
    `build: ${changed} file(s) transpiled in ${Date.now() - started} ms (types: npm run typecheck)\n`,
  );
}
// esbuild's service would keep the process alive a moment longer than needed.
process.exit(0);
