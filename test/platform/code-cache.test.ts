import { buildSync } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A bundle is run as a CommonJS module, with the code cache the build wrote when it is valid, and
 * compiled as usual when it is missing, written for other bytes, or refused by V8. Each load is a
 * fresh `node`, as an instance's start is: within one process V8 reuses what it compiled already
 * and never looks at a cache.
 */
const SOURCE = path.resolve(__dirname, '../../functions/platform/code-cache.ts');

describe('loading a function bundle with its code cache', () => {
  let dir: string;
  let loader: string;
  let bundle: string;
  const cacheFile = () => `${bundle}.codecache`;
  const call = (fn: 'loadFunctionBundle' | 'writeCodeCache'): string =>
    execFileSync(
      process.execPath,
      [
        '-e',
        `const r = require(${JSON.stringify(loader)}).${fn}(${JSON.stringify(bundle)});` +
          'process.stdout.write(String(r));',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  /** What the bundle saw when it ran (it writes it beside itself). */
  const seen = (): unknown => JSON.parse(readFileSync(path.join(dir, 'ran.json'), 'utf8'));
  const write = (value: string) =>
    writeFileSync(
      bundle,
      [
        `const helper = require('./helper.js');`,
        `require('node:fs').writeFileSync(require('node:path').join(__dirname, 'ran.json'),`,
        `  JSON.stringify({ value: ${JSON.stringify(value)}, helper: helper(), file: __filename, dir: __dirname, exports: module.exports === exports }));`,
      ].join('\n'),
    );

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    loader = path.join(dir, 'loader.js');
    buildSync({
      entryPoints: [SOURCE],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: loader,
      logLevel: 'silent',
    });
  });
  beforeEach(() => {
    bundle = path.join(dir, 'fn.js');
    writeFileSync(path.join(dir, 'helper.js'), 'module.exports = () => "from beside the bundle";');
    rmSync(cacheFile(), { force: true });
    write('first');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the bundle as a CommonJS module: its own require, __filename and __dirname', () => {
    expect(call('loadFunctionBundle')).toBe('absent');
    expect(seen()).toEqual({
      value: 'first',
      helper: 'from beside the bundle',
      file: bundle,
      dir,
      exports: true,
    });
  });

  it('writes a cache, and a fresh process uses it', () => {
    const size = Number(call('writeCodeCache'));
    expect(size).toBeGreaterThan(32);
    expect(readFileSync(cacheFile()).length).toBe(size);
    rmSync(path.join(dir, 'ran.json'));
    expect(call('loadFunctionBundle')).toBe('accepted');
    expect(seen()).toMatchObject({ value: 'first' });
  });

  it('ignores a cache written for other bytes, even of the same length, and runs the new code', () => {
    call('writeCodeCache');
    write('other'); // as long as 'first': V8's own check compares lengths only, and would run 'first'
    expect(call('loadFunctionBundle')).toBe('stale');
    expect(seen()).toMatchObject({ value: 'other' });
  });

  it('compiles as usual when V8 refuses the cache', () => {
    call('writeCodeCache');
    const stored = readFileSync(cacheFile());
    // The right digest, and bytes V8 cannot use.
    writeFileSync(cacheFile(), Buffer.concat([stored.subarray(0, 32), Buffer.alloc(256, 7)]));
    expect(call('loadFunctionBundle')).toBe('rejected');
    expect(seen()).toMatchObject({ value: 'first' });
  });

  it('writes the cache even when the bundle throws (a function whose wiring stops early)', () => {
    writeFileSync(bundle, 'throw new Error("no configuration");');
    expect(Number(call('writeCodeCache'))).toBeGreaterThan(32);
    expect(existsSync(cacheFile())).toBe(true);
    expect(() => call('loadFunctionBundle')).toThrow(/no configuration/);
  });
});
