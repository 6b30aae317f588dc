import type { Digest } from './inbound-event';

/**
 * The IDs of what we send, fixed by what caused it: the same inbound event, request or queueing
 * always yields the same message, event and survey IDs, so a redelivery or a retried request
 * produces the same commands and the API's ALREADY_EXISTS (the sender treats it as done) keeps
 * the customer from getting anything twice.
 *
 * The digest input is namespaced by publisher, so another function answering the same inbound
 * event (the live-agent function, say) can never collide with the bot's IDs. IDs keep to what
 * the API accepts: at most 64 characters of `[A-Za-z0-9-]`.
 */
export const API_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Who derives IDs, and how much of the digest each keeps before `-<suffix>`. The bot's leave room
 * for `-m13`, `-ts`, `-te`; the handoff's for longer suffixes (`-offline`, `-survey`). These
 * lengths are part of every ID already sent: changing one would give a redelivery across the
 * deploy a new ID, and the customer the message twice.
 */
const DIGEST_CHARS = { automation: 56, 'live-agent': 48, 'agent-api': 48 } as const;
export type IdNamespace = keyof typeof DIGEST_CHARS;

/**
 * A derived ID the API would refuse. The same input always derives the same ID, so retrying can
 * never help: permanent, and the event is quarantined instead of retried to the dead-letter topic.
 */
export class InvalidIdError extends Error {
  readonly retryable = false;
  constructor(readonly id: string) {
    super(`derived ID ${JSON.stringify(id)} is not a valid API ID (≤ 64 of [A-Za-z0-9-])`);
    this.name = 'InvalidIdError';
  }
}

/** The API ID `<digest of namespace:seed>-<suffix>`: the same seed, the same ID. */
export function derivedId(
  namespace: IdNamespace,
  seed: string,
  suffix: string,
  digest: Digest,
): string {
  const base = digest(`${namespace}:${seed}`)
    .replace(/[^A-Za-z0-9-]/g, '')
    .slice(0, DIGEST_CHARS[namespace]);
  const id = `${base}-${suffix}`;
  if (base === '' || !API_ID.test(id)) throw new InvalidIdError(id);
  return id;
}

export interface ReplyIds {
  /** Message `n`: 0 is the greeting, 1, 2, … the answers. */
  message(n: number): string;
  typingStarted: string;
  typingStopped: string;
}

/** IDs for the replies `publisher` sends because of the inbound event `dedupeKey`. */
export function replyIds(publisher: IdNamespace, dedupeKey: string, digest: Digest): ReplyIds {
  const id = (suffix: string) => derivedId(publisher, dedupeKey, suffix, digest);
  return {
    message: (n) => id(`m${n}`),
    typingStarted: id('ts'),
    typingStopped: id('te'),
  };
}
