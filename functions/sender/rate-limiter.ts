import { decideQuota, type RateLimit } from '../core/send-policy';

/**
 * Keeps this instance's API calls within Google's per-conversation quota (60 a minute), so the
 * sender slows itself down instead of collecting 429s.
 *
 * Why per instance is enough in practice: the `outbound` subscription delivers with ordering on
 * and the conversation ID as ordering key, so one conversation's commands arrive one at a time,
 * each only after the previous one was acknowledged — its sends are sequential, and normally
 * all handled by whichever instance is serving at the moment. What it does not guarantee:
 * across instances (a scale-out, a restart, or Pub/Sub moving the key to another instance)
 * each instance counts only its own calls, so a burst split between two instances within one
 * minute can exceed the quota. Google then answers 429, which is retried with backoff like any
 * transient error; nothing is lost or sent twice, it is only later.
 */

export interface RateLimiterOptions extends RateLimit {
  /** The longest one delivery may wait for a slot; longer waits are deferred to Pub/Sub. */
  maxWaitMs: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** No slot within the wait this delivery may afford: retry later, through Pub/Sub. */
export class QuotaDeferredError extends Error {
  readonly retryable = true;
  constructor(
    readonly conversationId: string,
    readonly retryAfterMs: number,
  ) {
    super(
      `conversation ${conversationId} is at its send quota; a slot frees in ${retryAfterMs} ms`,
    );
    this.name = 'QuotaDeferredError';
  }
}

/** How often all conversations are swept of expired history, in acquisitions. */
const SWEEP_EVERY = 1_000;

export class ConversationRateLimiter {
  private readonly sent = new Map<string, number[]>();
  private acquisitions = 0;

  constructor(private readonly options: RateLimiterOptions) {}

  /**
   * Takes a slot for one API call now, after waiting (at most `maxWaitMs` in all), or throws
   * `QuotaDeferredError`. A taken slot stays taken whatever the call's outcome: a call that
   * reached Google counts against the quota even when it failed.
   */
  async acquire(conversationId: string): Promise<{ waitedMs: number }> {
    let waitedMs = 0;
    for (;;) {
      const now = this.options.now().getTime();
      const history = this.history(conversationId, now);
      const decision = decideQuota(history, now, this.options, this.options.maxWaitMs - waitedMs);
      if (decision.action === 'send') {
        history.push(now);
        this.sent.set(conversationId, history);
        if (++this.acquisitions % SWEEP_EVERY === 0) this.sweep(now);
        return { waitedMs };
      }
      if (decision.action === 'defer') {
        throw new QuotaDeferredError(conversationId, decision.retryAfterMs);
      }
      // Another delivery of the same conversation may take the slot meanwhile (only without
      // ordering); deciding again after the wait keeps the limit either way.
      await this.options.sleep(decision.waitMs);
      waitedMs += decision.waitMs;
    }
  }

  /** Conversations with calls inside the window (for tests and diagnostics). */
  get trackedConversations(): number {
    return this.sent.size;
  }

  private history(conversationId: string, now: number): number[] {
    const kept = (this.sent.get(conversationId) ?? []).filter(
      (t) => t > now - this.options.windowMs,
    );
    if (kept.length === 0) this.sent.delete(conversationId);
    else this.sent.set(conversationId, kept);
    return kept;
  }

  private sweep(now: number): void {
    for (const conversationId of [...this.sent.keys()]) this.history(conversationId, now);
  }
}
