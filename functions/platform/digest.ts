import { createHash } from 'node:crypto';
import type { Digest } from '../core/inbound-event';

/** SHA-256, hex, truncated to 128 bits: ample for dedupe keys and safe as a Firestore doc ID. */
export const sha256Digest: Digest = (text) =>
  createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
