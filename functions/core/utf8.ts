/**
 * UTF-8 byte counts. Google's limits on identifiers are in bytes (a Pub/Sub attribute value or
 * ordering key: 1024; a Firestore document ID: 1500), while JavaScript strings count UTF-16
 * units, of which one may take up to 3 bytes. Pure code over code points, so the core's schemas
 * can enforce byte limits without Buffer.
 */

/** Bytes of one code point in UTF-8; a lone surrogate is written as U+FFFD (3 bytes). */
const bytesOf = (codePoint: number): number =>
  codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;

/** The length of `text` in UTF-8, as `Buffer.byteLength(text, 'utf8')` counts it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) bytes += bytesOf(char.codePointAt(0) ?? 0);
  return bytes;
}

/**
 * `text` cut to at most `maxBytes` of UTF-8, never inside a character (a cut code point would
 * become U+FFFD and could itself overflow the limit).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Every UTF-16 unit is at most 3 bytes: most values need no counting at all.
  if (text.length * 3 <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += bytesOf(char.codePointAt(0) ?? 0);
    if (bytes > maxBytes) return text.slice(0, end);
    end += char.length;
  }
  return text;
}

/** Pub/Sub's limit on an attribute value, and on an ordering key, in bytes. */
export const MAX_ATTRIBUTE_BYTES = 1024;

/** Every value cut to Pub/Sub's attribute limit (keys are ours, and short). */
export function capAttributeValues(
  attributes: Readonly<Record<string, string>>,
  maxBytes: number = MAX_ATTRIBUTE_BYTES,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [key, truncateUtf8(value, maxBytes)]),
  );
}
