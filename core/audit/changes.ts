/**
 * What an edit changed, for its audit entry: an edit that changes nothing (every field given equals
 * the stored one, or none given) leaves no entry, like any other repeat.
 */

/** The same value as read from the database or given for it: Dates by instant, arrays and plain objects by content (a key holding undefined counts as absent). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = new Set([...definedKeys(a), ...definedKeys(b)]);
  for (const key of keys) if (!sameValue(a[key], b[key])) return false;
  return true;
}

/**
 * The fields of `after` whose value differs from `before`'s, in `after`'s order; undefined ones (not
 * given in a patch) and the `ignore`d ones (stamps such as updatedAt) are left out.
 */
export function changedFields(before: object, after: object, ignore: readonly string[] = []): string[] {
  const old = before as Record<string, unknown>;
  const next = after as Record<string, unknown>;
  return definedKeys(next).filter((key) => !ignore.includes(key) && !sameValue(old[key], next[key]));
}

function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
