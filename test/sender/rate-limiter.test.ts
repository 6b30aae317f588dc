import { ConversationRateLimiter, QuotaDeferredError } from '../../functions/sender/rate-limiter';
import { FakeClock } from '../support/sender-harness';

describe('ConversationRateLimiter (injected clock and sleep)', () => {
  let clock: FakeClock;
  let limiter: ConversationRateLimiter;

  beforeEach(() => {
    clock = new FakeClock();
    limiter = new ConversationRateLimiter({
      limit: 3,
      windowMs: 60_000,
      maxWaitMs: 5_000,
      now: clock.now,
      sleep: clock.sleep,
    });
  });

  it('takes slots up to the limit, then defers with the time until one frees', async () => {
    for (let i = 0; i < 3; i++)
      await expect(limiter.acquire('c')).resolves.toEqual({ waitedMs: 0 });
    const deferred = limiter.acquire('c');
    await expect(deferred).rejects.toBeInstanceOf(QuotaDeferredError);
    await expect(deferred).rejects.toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    expect(clock.sleeps).toEqual([]);
  });

  it('a deferred attempt takes no slot', async () => {
    for (let i = 0; i < 3; i++) await limiter.acquire('c');
    await expect(limiter.acquire('c')).rejects.toBeInstanceOf(QuotaDeferredError);
    clock.advance(60_000);
    for (let i = 0; i < 3; i++)
      await expect(limiter.acquire('c')).resolves.toEqual({ waitedMs: 0 });
  });

  it('waits when the slot frees within the bound', async () => {
    await limiter.acquire('c');
    clock.advance(56_000);
    await limiter.acquire('c');
    await limiter.acquire('c');
    await expect(limiter.acquire('c')).resolves.toEqual({ waitedMs: 4_000 });
    expect(clock.sleeps).toEqual([4_000]);
  });

  it('each conversation has its own quota', async () => {
    for (let i = 0; i < 3; i++) await limiter.acquire('a');
    await expect(limiter.acquire('b')).resolves.toEqual({ waitedMs: 0 });
  });

  it('concurrent attempts on one conversation never share a slot', async () => {
    await limiter.acquire('c');
    await limiter.acquire('c');
    const results = await Promise.allSettled([limiter.acquire('c'), limiter.acquire('c')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('forgets conversations whose calls have left the window', async () => {
    await limiter.acquire('a');
    await limiter.acquire('b');
    expect(limiter.trackedConversations).toBe(2);
    clock.advance(60_000);
    await limiter.acquire('a');
    expect(limiter.trackedConversations).toBe(2); // 'b' is swept lazily
    for (let i = 0; i < 1_000; i++) {
      clock.advance(60_000);
      await limiter.acquire('a');
    }
    expect(limiter.trackedConversations).toBe(1);
  });
});
