import type { Digest } from './inbound-event';

/**
 * The IDs of what the bot sends, fixed by what caused it: the same inbound event always yields
 * the same message and event IDs, so a redelivery produces the same commands and the API's
 * ALREADY_EXISTS (the sender treats it as done) keeps the customer from getting a reply twice.
 *
 * The digest input is namespaced by publisher, so another function answering the same inbound
 * event (the live-agent function, say) can never collide with the bot's IDs. IDs keep to what
 * the API accepts: at most 64 characters of `[A-Za-z0-9-]`.
 */
export const API_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Longest digest part kept: leaves room for the `-m13`, `-ts`, `-te` suffixes. */
const MAX_BASE = 56;

export interface ReplyIds {
  /** Message `n`: 0 is the greeting, 1, 2, … the answers. */
  message(n: number): string;
  typingStarted: string;
  typingStopped: string;
}

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

/** IDs for the replies `publisher` sends because of the inbound event `dedupeKey`. */
export function replyIds(publisher: string, dedupeKey: string, digest: Digest): ReplyIds {
  const base = digest(`${publisher}:${dedupeKey}`)
    .replace(/[^A-Za-z0-9-]/g, '')
    .slice(0, MAX_BASE);
  const checked = (id: string): string => {
    if (base === '' || !API_ID.test(id)) throw new InvalidIdError(id);
    return id;
  };
  return {
    message: (n) => checked(`${base}-m${n}`),
    typingStarted: checked(`${base}-ts`),
    typingStopped: checked(`${base}-te`),
  };
}
