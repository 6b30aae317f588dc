import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess, stopProcess } from '../processes';

/**
 * The whole `googleapis` bundle, for the cold-start reference only. It is not a dependency of
 * this project and must not become one: it is installed into a folder of the system's temp
 * directory (kept for later runs), never into the repository.
 */
export type GoogleapisInstall = { ok: true; dir: string } | { ok: false; reason: string };

export async function ensureGoogleapis(
  say: (line: string) => void,
  timeoutMs = 240_000,
): Promise<GoogleapisInstall> {
  const dir = path.join(os.tmpdir(), 'bm-pipeline-bench-googleapis');
  if (existsSync(path.join(dir, 'node_modules/googleapis/package.json'))) return { ok: true, dir };
  mkdirSync(dir, { recursive: true });
  say(`installing googleapis into ${dir} (once; reused by later runs)…`);
  const npm = startProcess('npm install googleapis', 'npm', [
    'install',
    '--prefix',
    dir,
    '--no-audit',
    '--no-fund',
    '--no-package-lock',
    '--loglevel=error',
    'googleapis',
  ]);
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    npm.child.once('exit', (c, signal) => {
      clearTimeout(timer);
      resolve(c ?? signal ?? 'killed');
    });
    npm.child.once('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
  });
  await stopProcess(npm);
  if (code === 0 && existsSync(path.join(dir, 'node_modules/googleapis/package.json'))) {
    return { ok: true, dir };
  }
  const output = npm.recentOutput().trim().split('\n').slice(-3).join(' ').slice(0, 300);
  return {
    ok: false,
    reason: `npm install googleapis failed (${code === 'timeout' ? `no result within ${timeoutMs / 1000} s` : `exit ${code}`})${output ? `: ${output}` : ''}`,
  };
}
