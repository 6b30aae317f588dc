/**
 * Whether a failure is worth retrying. Event functions throw transient failures, so Pub/Sub
 * redelivers the event; they quarantine permanent ones (the event can never be processed) and
 * acknowledge them, because redelivering those only delays the conversation's later events.
 *
 * Only what is known to be permanent is treated so: anything unrecognised is retried, and the
 * subscription's dead-letter topic bounds the retries. A bug or a missing permission must not
 * quietly turn good events into quarantined ones.
 */

/** An event that can never be processed, whatever is retried: quarantine it. */
export class PermanentFailure extends Error {
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentFailure';
  }
}

export type FailureKind = 'transient' | 'permanent';

/**
 * `permanent` only for errors that say so (`retryable: false`, e.g. `PermanentFailure`);
 * Firestore's UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED and INTERNAL, a
 * failed publish (`PublishFailedError`), a timeout and anything unrecognised are `transient`.
 */
export function classifyFailure(error: unknown): FailureKind {
  const retryable =
    typeof error === 'object' && error !== null
      ? (error as { retryable?: unknown }).retryable
      : undefined;
  return retryable === false ? 'permanent' : 'transient';
}
