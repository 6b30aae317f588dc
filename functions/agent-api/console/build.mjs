// Builds the agent console into <repo>/dist/console/: app.js (bundled, minified), app.css
// (minified) and index.html, served by the agentApi function at /console/.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const out = path.join(root, 'dist/console');

await mkdir(out, { recursive: true });
const started = Date.now();
await Promise.all([
  build({
    entryPoints: [path.join(here, 'src/main.ts')],
    outfile: path.join(out, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  }),
  build({
    entryPoints: [path.join(here, 'styles.css')],
    outfile: path.join(out, 'app.css'),
    bundle: true,
    minify: true,
    target: ['chrome100', 'firefox100', 'safari15'],
    logLevel: 'warning',
  }),
  copyFile(path.join(here, 'index.html'), path.join(out, 'index.html')),
]);

let gzip = 0;
for (const file of ['app.js', 'app.css']) {
  gzip += gzipSync(await readFile(path.join(out, file)), { level: 9 }).length;
}
const raw =
  (await stat(path.join(out, 'app.js'))).size + (await stat(path.join(out, 'app.css'))).size;
console.log(
  `console: dist/console/ (${raw} bytes of JS and CSS, ${gzip} gzipped) in ${Date.now() - started} ms`,
);
