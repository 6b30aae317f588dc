import {
  CONVERSATION_QUOTA,
  SEND_WINDOW_MS,
  canonicalStatus,
  checkCarriedSendWindow,
  checkSendWindow,
  classifyApiFailure,
  countsTowardQuota,
  decideQuota,
  type ApiFailure,
  type FailureClass,
  type SendKind,
} from '../../functions/core/send-policy';

const T0 = new Date('2026-11-25T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('classifyApiFailure', () => {
  type Row = [SendKind, number, string | undefined, FailureClass['disposition'], string];
  // kind, HTTP status (0: no answer), Google's error.status (undefined: no body) → expected
  const cases: Row[] = [
    // A duplicate ID means an earlier attempt landed.
    ['message', 409, 'ALREADY_EXISTS', 'already-exists', 'ALREADY_EXISTS'],
    ['event', 409, undefined, 'already-exists', 'ALREADY_EXISTS'],
    ['survey', 409, 'ALREADY_EXISTS', 'already-exists', 'ALREADY_EXISTS'],
    ['message', 409, 'ABORTED', 'retry', 'ABORTED'],
    // Quota: retry for messages and events; a survey within 24 h never succeeds.
    ['message', 429, 'RESOURCE_EXHAUSTED', 'retry', 'RESOURCE_EXHAUSTED'],
    ['event', 429, 'RESOURCE_EXHAUSTED', 'retry', 'RESOURCE_EXHAUSTED'],
    ['survey', 429, 'RESOURCE_EXHAUSTED', 'permanent', 'RESOURCE_EXHAUSTED'],
    ['survey', 429, undefined, 'permanent', 'RESOURCE_EXHAUSTED'],
    // Server side and no answer: retry.
    ['message', 500, 'INTERNAL', 'retry', 'INTERNAL'],
    ['message', 500, 'UNKNOWN', 'retry', 'UNKNOWN'],
    ['message', 502, undefined, 'retry', 'UNAVAILABLE'],
    ['survey', 503, 'UNAVAILABLE', 'retry', 'UNAVAILABLE'],
    ['receipt', 504, 'DEADLINE_EXCEEDED', 'retry', 'DEADLINE_EXCEEDED'],
    ['message', 0, undefined, 'retry', 'UNAVAILABLE'],
    ['message', 0, 'DEADLINE_EXCEEDED', 'retry', 'DEADLINE_EXCEEDED'],
    // Our credentials, not the message: retry until fixed or dead-lettered.
    ['message', 401, 'UNAUTHENTICATED', 'retry', 'UNAUTHENTICATED'],
    // The request itself: permanent.
    ['message', 400, 'INVALID_ARGUMENT', 'permanent', 'INVALID_ARGUMENT'],
    ['event', 400, undefined, 'permanent', 'INVALID_ARGUMENT'],
    ['message', 400, 'FAILED_PRECONDITION', 'permanent', 'FAILED_PRECONDITION'],
    ['survey', 400, 'FAILED_PRECONDITION', 'permanent', 'FAILED_PRECONDITION'],
    ['message', 403, 'PERMISSION_DENIED', 'permanent', 'PERMISSION_DENIED'],
    ['receipt', 404, 'NOT_FOUND', 'permanent', 'NOT_FOUND'],
    ['message', 501, 'UNIMPLEMENTED', 'permanent', 'UNIMPLEMENTED'],
    // Statuses the table does not know: by HTTP class.
    ['message', 418, 'TEAPOT', 'permanent', 'TEAPOT'],
    ['message', 507, 'FULL', 'retry', 'FULL'],
    ['message', 422, undefined, 'permanent', 'HTTP_422'],
    ['message', 599, undefined, 'retry', 'HTTP_599'],
  ];

  it.each(cases)('%s, HTTP %i, %s → %s %s', (kind, httpStatus, status, disposition, code) => {
    const failure: ApiFailure = status === undefined ? { httpStatus } : { httpStatus, status };
    expect(classifyApiFailure(kind, failure)).toEqual({ disposition, code });
  });

  it("prefers Google's status over the HTTP code", () => {
    expect(canonicalStatus({ httpStatus: 400, status: 'FAILED_PRECONDITION' })).toBe(
      'FAILED_PRECONDITION',
    );
    expect(canonicalStatus({ httpStatus: 400 })).toBe('INVALID_ARGUMENT');
  });
});

describe('checkSendWindow', () => {
  const now = at(0);
  it.each([
    ['unknown last customer message', undefined, true],
    ['a minute ago', at(-60_000), true],
    ['30 days - 1 ms ago', at(-SEND_WINDOW_MS + 1), true],
    ['exactly 30 days ago', at(-SEND_WINDOW_MS), true],
    ['30 days + 1 ms ago', at(-SEND_WINDOW_MS - 1), false],
    ['a year ago', at(-365 * 24 * 60 * 60 * 1000), false],
    ['in the future (clock skew)', at(5_000), true],
  ] as const)('%s → open %s', (_name, last, open) => {
    expect(checkSendWindow(last, now).open).toBe(open);
  });

  it('is 30 days of milliseconds', () => {
    expect(SEND_WINDOW_MS).toBe(2_592_000_000);
  });

  it('says why, with both times', () => {
    const decision = checkSendWindow(at(-SEND_WINDOW_MS - 1), now);
    expect(decision).toEqual({
      open: false,
      reason:
        'the customer last wrote at 2026-10-26T11:59:59.999Z, more than 30 days before 2026-11-25T12:00:00.000Z',
    });
  });
});

describe('checkCarriedSendWindow', () => {
  const now = at(0);
  it.each([
    ['not carried', undefined, undefined],
    ['a minute ago', at(-60_000).toISOString(), { open: true }],
    ['exactly 30 days ago', at(-SEND_WINDOW_MS).toISOString(), { open: true }],
    // The customer may have written since: only the stored time can close the window.
    ['30 days + 1 ms ago', at(-SEND_WINDOW_MS - 1).toISOString(), undefined],
  ] as const)('%s → %j', (_name, carried, expected) => {
    expect(checkCarriedSendWindow(carried, now)).toEqual(expected);
  });

  it('never opens a window the stored time would close, since the stored time only grows', () => {
    for (let days = 0; days <= 40; days++) {
      const carried = at(-days * 24 * 60 * 60 * 1000);
      for (const laterBy of [0, 1, 12 * 60 * 60 * 1000]) {
        const stored = new Date(carried.getTime() + laterBy);
        const fromCarried = checkCarriedSendWindow(carried.toISOString(), now);
        if (fromCarried) expect(checkSendWindow(stored, now)).toEqual(fromCarried);
      }
    }
  });
});

describe('countsTowardQuota', () => {
  it.each([
    ['message', true],
    ['event', true],
    ['survey', false],
    ['receipt', false],
  ] as const)('%s → %s', (kind, counted) => {
    expect(countsTowardQuota(kind)).toBe(counted);
  });
});

describe('decideQuota (sliding window, injected clock)', () => {
  const quota = CONVERSATION_QUOTA;
  const nowMs = T0.getTime();
  const everySecond = (n: number, start: number) =>
    Array.from({ length: n }, (_, i) => start + i * 1000);

  it('is 60 per 60 s', () => {
    expect(quota).toEqual({ limit: 60, windowMs: 60_000 });
  });

  it.each([
    ['no history', [], 5_000, { action: 'send' }],
    ['59 in the last minute', Array(59).fill(nowMs - 1), 5_000, { action: 'send' }],
    [
      '60 at this instant: the slot frees in a minute',
      Array(60).fill(nowMs),
      5_000,
      { action: 'defer', retryAfterMs: 60_000 },
    ],
    [
      '60, oldest 57 s ago: wait 3 s',
      everySecond(60, nowMs - 57_000).map((t) => Math.min(t, nowMs)),
      5_000,
      { action: 'wait', waitMs: 3_000 },
    ],
    [
      '60, oldest 55 s ago: wait exactly the bound',
      [nowMs - 55_000, ...Array(59).fill(nowMs)],
      5_000,
      { action: 'wait', waitMs: 5_000 },
    ],
    [
      '60, oldest 55 s - 1 ms ago: 1 ms over the bound',
      [nowMs - 54_999, ...Array(59).fill(nowMs)],
      5_000,
      { action: 'defer', retryAfterMs: 5_001 },
    ],
    [
      '60, oldest exactly 60 s ago: it has left the window',
      [nowMs - 60_000, ...Array(59).fill(nowMs)],
      5_000,
      { action: 'send' },
    ],
    [
      '60, oldest 60 s - 1 ms ago: 1 ms to go',
      [nowMs - 59_999, ...Array(59).fill(nowMs)],
      5_000,
      { action: 'wait', waitMs: 1 },
    ],
    [
      'no waiting allowed',
      [nowMs - 59_999, ...Array(59).fill(nowMs)],
      0,
      { action: 'defer', retryAfterMs: 1 },
    ],
    ['old history is ignored', Array(500).fill(nowMs - 61_000), 5_000, { action: 'send' }],
    [
      'unsorted history',
      [nowMs, nowMs - 10_000, ...Array(58).fill(nowMs - 1)],
      60_000,
      { action: 'wait', waitMs: 50_000 },
    ],
  ] as const)('%s', (_name, history, maxWaitMs, expected) => {
    expect(decideQuota(history, nowMs, quota, maxWaitMs)).toEqual(expected);
  });

  it('more than the limit in the window (another writer): waits for enough to leave', () => {
    const history = [nowMs - 50_000, nowMs - 40_000, ...Array(60).fill(nowMs - 1)];
    // 62 in the window: the 3rd oldest must leave, at nowMs - 1 + 60 s.
    expect(decideQuota(history, nowMs, quota, 60_000)).toEqual({ action: 'wait', waitMs: 59_999 });
  });

  it('simulated: a conversation sending as fast as allowed never exceeds 60 in any 60 s', () => {
    let clock = nowMs;
    const sent: number[] = [];
    for (let i = 0; i < 300; i++) {
      for (;;) {
        const decision = decideQuota(sent, clock, quota, 5_000);
        if (decision.action === 'send') break;
        clock += decision.action === 'wait' ? decision.waitMs : decision.retryAfterMs;
      }
      sent.push(clock);
      clock += 100;
    }
    for (const t of sent) {
      expect(sent.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(60);
    }
    // And it is not slower than the quota: 300 sends take 4 windows and a bit.
    expect((sent.at(-1) ?? 0) - nowMs).toBeLessThan(5 * 60_000);
  });
});
