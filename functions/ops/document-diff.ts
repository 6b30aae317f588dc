import { formatPath } from '../core/brand-config';

/**
 * What changes between a stored document and the one about to replace it, leaf by leaf, named
 * by field path the way validation errors are (`intents[3].replies.fr.text`).
 */

export interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
}

export function documentChanges(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  walk(before, after, [], changes);
  return changes;
}

function walk(before: unknown, after: unknown, path: PropertyKey[], out: FieldChange[]): void {
  if (before === undefined && after === undefined) return;
  const at = path.length === 0 ? '(document)' : formatPath(path);
  if (before === undefined) return void out.push({ path: at, change: 'added' });
  if (after === undefined) return void out.push({ path: at, change: 'removed' });
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      walk(before[i], after[i], [...path, i], out);
    }
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      walk(before[key], after[key], [...path, key], out);
    }
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: at, change: 'changed' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
