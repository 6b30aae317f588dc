import { writeSync } from 'node:fs';
import path from 'node:path';

/**
 * The cold-start reference for the whole `googleapis` bundle: a process that only loads it (from
 * `BENCH_GOOGLEAPIS_DIR`, installed outside the repository), then says so on fd 3.
 */
const dir = process.env.BENCH_GOOGLEAPIS_DIR ?? '';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- not a dependency of the project
const googleapis = require(path.join(dir, 'node_modules', 'googleapis')) as { google?: unknown };
if (googleapis.google === undefined) throw new Error('googleapis did not load');
writeSync(3, `${JSON.stringify({ type: 'ready' })}\n`);
// Stays alive until the parent has read its memory and stops it.
setInterval(() => undefined, 60_000);
