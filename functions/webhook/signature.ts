import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Google signs each webhook body: `X-Goog-Signature` = base64(HMAC-SHA512(raw body)).
 * Google's documents disagree on the key (the partner key in the older page and every sample,
 * the webhook's client token in the later revision), so a match against either configured
 * key is accepted. Comparison is constant-time.
 *
 * Keys are tried in order and the first match ends the check: an HMAC over the body is most of
 * the webhook's own CPU per event, and Google's events match the first key (the partner key).
 * Stopping early tells a timing observer only which key signed a genuine event; a forger's
 * signature matches neither, so every forgery costs both HMACs and learns nothing.
 */
export function signatureMatches(
  rawBody: Uint8Array,
  header: string | undefined,
  keys: readonly string[],
): boolean {
  if (!header) return false;
  const presented = decodeBase64Strict(header.trim());
  if (!presented) return false;
  for (const key of keys) {
    const expected = createHmac('sha512', key).update(rawBody).digest();
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) return true;
  }
  return false;
}

/** Signs a body the way Google does; used by the simulator and tests. */
export const signBody = (rawBody: Uint8Array | string, key: string): string =>
  createHmac('sha512', key).update(rawBody).digest('base64');

/** Constant-time string equality for the registration handshake's client token. */
export function tokensEqual(a: string, b: string): boolean {
  const left = createHmac('sha256', 'token-compare').update(a).digest();
  const right = createHmac('sha256', 'token-compare').update(b).digest();
  return timingSafeEqual(left, right);
}

function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
