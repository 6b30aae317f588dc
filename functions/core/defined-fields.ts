/**
 * Leaves out the fields whose value is `undefined`, at every depth of plain objects and arrays
 * (class instances such as dates are kept as they are). The one way this codebase drops
 * optional fields: Firestore refuses `undefined` in a write, and a view or a log label should
 * not carry keys that say nothing. (Firestore's `ignoreUndefinedProperties` would do it for
 * writes only, and only on clients created with it; the adapters are handed clients made
 * elsewhere, so they cannot rely on it.)
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => withoutUndefined(item)) as T;
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  ) as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
