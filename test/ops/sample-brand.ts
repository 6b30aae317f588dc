import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The sample brand's file, as an operator would start from it: a fresh copy each time. */
export function velo(): Record<string, unknown> {
  const file = path.join(__dirname, '../../functions/local/sample-brand/velo-cafe.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}
