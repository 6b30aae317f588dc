import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The agent console's static files (`npm run build` writes them to dist/console), served by the
 * agent API under `/console/`. Read once per instance, on the first request for the console, so
 * API requests never pay for them; kept in memory with a gzip copy and a content hash (ETag).
 */

export interface ConsoleAsset {
  body: Buffer;
  gzip: Buffer;
  contentType: string;
  etag: string;
}

export type ConsoleAssets =
  { ok: true; files: ReadonlyMap<string, ConsoleAsset> } | { ok: false; reason: string };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Where the build puts the console (`dist/console`), seen from where this module runs: a
 * function bundle (`dist/bundles`), the compiled tree (`dist/functions/agent-api`), or the
 * source (tests).
 */
export function defaultConsoleDir(): string {
  const candidates = ['../console', '../../console', '../../dist/console'].map((relative) =>
    path.resolve(__dirname, relative),
  );
  return (
    candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ??
    (candidates[candidates.length - 1] as string)
  );
}

/** Every file of `dir` (one level: the build writes no folders). */
export function loadConsoleAssets(dir: string): ConsoleAssets {
  if (!existsSync(path.join(dir, 'index.html'))) {
    return { ok: false, reason: `the agent console is not built (${dir}): run npm run build` };
  }
  const files = new Map<string, ConsoleAsset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(path.join(dir, name));
    files.set(name, {
      body,
      gzip: gzipSync(body, { level: 9 }),
      contentType: type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    });
  }
  return { ok: true, files };
}

/**
 * The console's security headers. The page runs only its own script and style (no inline code,
 * so customer text can never run as code even if a bug rendered it as HTML), may not be framed,
 * and talks only to this origin.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};
