import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * Loads a function's bundle (dist/bundles/<folder>.js) with V8's code cache, written beside it by
 * the build. Most of what our code costs at a cold start is V8 compiling it (zod's schema
 * constructors, then ours), not running it; the cache holds the compiled functions of a previous
 * load, so an instance starts by deserialising them instead. It is an optimisation only: a
 * missing cache, one written for other bytes (checked by digest, since V8 itself checks only the
 * source's length) or one V8 refuses (another Node version or flags) means compiling as usual.
 *
 * The bundle runs as a CommonJS module would: its own `require` (resolving from its folder),
 * `module`, `exports`, `__filename`, `__dirname`.
 */
export type CodeCacheUse =
  /** V8 used the cache. */
  | 'accepted'
  /** V8 refused it (another Node version or V8 flags than the build's). */
  | 'rejected'
  /** The cache was written for other bytes of the bundle (a rebuild without a new cache). */
  | 'stale'
  | 'absent';

const DIGEST_BYTES = 32;

export const codeCacheFileOf = (bundle: string): string => `${bundle}.codecache`;

const digestOf = (source: string): Buffer => createHash('sha256').update(source).digest();

interface Compiled {
  script: vm.Script;
  use: CodeCacheUse;
  digest: Buffer;
}

function compile(bundle: string, withCache: boolean): Compiled {
  const source = readFileSync(bundle, 'utf8');
  const digest = digestOf(source);
  const cacheFile = codeCacheFileOf(bundle);
  let cachedData: Buffer | undefined;
  let use: CodeCacheUse = 'absent';
  if (withCache && existsSync(cacheFile)) {
    const stored = readFileSync(cacheFile);
    if (stored.subarray(0, DIGEST_BYTES).equals(digest)) cachedData = stored.subarray(DIGEST_BYTES);
    else use = 'stale';
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cachedData) use = script.cachedDataRejected === true ? 'rejected' : 'accepted';
  return { script, use, digest };
}

type ModuleWrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

function run(bundle: string, script: vm.Script): void {
  const wrapper = script.runInThisContext() as ModuleWrapper;
  const module = { exports: {} };
  wrapper.call(
    module.exports,
    module.exports,
    createRequire(bundle),
    module,
    bundle,
    path.dirname(bundle),
  );
}

/** Runs the bundle, with its code cache when there is a valid one; says what became of the cache. */
export function loadFunctionBundle(bundle: string): CodeCacheUse {
  const { script, use } = compile(bundle, true);
  run(bundle, script);
  return use;
}

/**
 * The build's step: runs the bundle once, as an instance's start would (its modules, schemas and
 * wiring; if the wiring throws, everything before it is compiled all the same), and writes what
 * V8 compiled, prefixed with the bundle's digest. Returns the cache's size in bytes.
 */
export function writeCodeCache(bundle: string): number {
  const { script, digest } = compile(bundle, false);
  try {
    run(bundle, script);
  } catch {
    // See above: what ran is what the cache holds.
  }
  const data = Buffer.concat([digest, script.createCachedData()]);
  writeFileSync(codeCacheFileOf(bundle), data);
  return data.length;
}
