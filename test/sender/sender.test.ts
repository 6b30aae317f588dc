import { PermanentFailure } from '../../functions/core/failure';
import { withLastUserMessageAt } from '../../functions/core/outbound-command';
import { SEND_WINDOW_MS } from '../../functions/core/send-policy';
import { toPubSubCloudEvent } from '../../functions/platform/pubsub-cloud-event';
import { ApiError, type BusinessMessagesApi } from '../../functions/ports/business-messages';
import { QuotaDeferredError } from '../../functions/sender/rate-limiter';
import {
  BRAND,
  FakeClock,
  T0,
  TRACE,
  cloudEventOf,
  command,
  startSender,
  type SenderHarness,
  type SenderHarnessOptions,
} from '../support/sender-harness';

// The sender handler end to end: Google's generated client over real HTTP to the stand-in,
// an in-memory message log and bus, a clock that moves only when the test moves it.

const CONV = 'conv-sender-1';

let h: SenderHarness;
let clock: FakeClock;

async function start(options: SenderHarnessOptions = {}): Promise<SenderHarness> {
  clock = new FakeClock();
  h = await startSender({ clock, ...options });
  return h;
}

afterEach(async () => {
  await h.close();
});

const withEvent = (name: string) => h.logs.filter((l) => l.event === name);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the delivery to fail');
}

describe('each kind of command is sent once and recorded SENT', () => {
  beforeEach(() => start());

  it('message: created at the API with its ID; SENT with kind, representative, text, cause', async () => {
    const cmd = command.message(CONV, 'm-1', 'We open at 9', 'HUMAN');
    await expect(h.deliver(cmd)).resolves.toBe('sent');
    expect(h.accepted(CONV).messages).toEqual([
      expect.objectContaining({ messageId: 'm-1', body: cmd.message }),
    ]);
    expect(h.outboundLog.records).toEqual([
      {
        conversationId: CONV,
        id: 'm-1',
        kind: 'message',
        status: 'SENT',
        at: T0,
        representativeType: 'HUMAN',
        text: 'We open at 9',
        causedBy: 'r:m-1',
      },
    ]);
    // On the conversation store's message log, as agents see it.
    await expect(h.outboundLog.entry(CONV, 'm-1')).resolves.toMatchObject({
      direction: 'outbound',
      kind: 'message',
      status: 'SENT',
      text: 'We open at 9',
      representativeType: 'HUMAN',
      causedBy: 'r:m-1',
    });
  });

  it('a rich card is recorded with its fallback as the text agents see', async () => {
    const cmd = command.message(CONV, 'm-card');
    const { text: _text, ...rest } = cmd.message;
    cmd.message = {
      ...rest,
      fallback: 'Our hours: 9-17',
      richCard: { standaloneCard: { cardContent: { title: 'Hours', description: '9-17' } } },
    };
    await expect(h.deliver(cmd)).resolves.toBe('sent');
    expect(h.outboundLog.records[0]).toMatchObject({ status: 'SENT', text: 'Our hours: 9-17' });
  });

  it('event: created with ?eventId=; SENT with the representative type', async () => {
    const cmd = command.event(CONV, 'e-joined', 'REPRESENTATIVE_JOINED', 'HUMAN');
    await expect(h.deliver(cmd)).resolves.toBe('sent');
    expect(h.accepted(CONV).events).toEqual([
      expect.objectContaining({ eventId: 'e-joined', body: cmd.event }),
    ]);
    expect(h.outboundLog.records).toEqual([
      expect.objectContaining({
        id: 'e-joined',
        kind: 'event',
        status: 'SENT',
        representativeType: 'HUMAN',
        causedBy: 'r:e-joined',
      }),
    ]);
    expect(h.outboundLog.records[0]).not.toHaveProperty('text');
  });

  it('survey: created with ?surveyId=; SENT', async () => {
    await expect(h.deliver(command.survey(CONV, 's-1'))).resolves.toBe('sent');
    expect(h.accepted(CONV).surveys).toEqual([expect.objectContaining({ surveyId: 's-1' })]);
    expect(h.outboundLog.records).toEqual([
      expect.objectContaining({ id: 's-1', kind: 'survey', status: 'SENT' }),
    ]);
  });

  it('receipt: READ on the customer message; SENT under receipt-<messageId>', async () => {
    await expect(h.deliver(command.receipt(CONV, 'user-m-7'))).resolves.toBe('sent');
    expect(h.accepted(CONV).receipts).toEqual([
      expect.objectContaining({ messageId: 'user-m-7', body: { receiptType: 'READ' } }),
    ]);
    expect(h.outboundLog.records).toEqual([
      expect.objectContaining({ id: 'receipt-user-m-7', kind: 'receipt', status: 'SENT' }),
    ]);
  });
});

describe('idempotency: the command fixes the ID, every retry reuses it', () => {
  beforeEach(() => start());

  it('a redelivered command reaches the customer once and is still SENT', async () => {
    const event = cloudEventOf(command.message(CONV, 'm-dup'));
    await expect(h.handler(event)).resolves.toBe('sent');
    await expect(h.handler(event)).resolves.toBe('already-sent');
    expect(h.accepted(CONV).messages).toHaveLength(1);
    expect(h.outboundLog.statuses(CONV, 'm-dup')).toEqual(['SENT', 'SENT']);
    await expect(h.outboundLog.entry(CONV, 'm-dup')).resolves.toMatchObject({ status: 'SENT' });
    expect(withEvent('send_succeeded').map((l) => l.result)).toEqual(['created', 'already-exists']);
  });

  it('the same command published twice (two bus message IDs) is one message too', async () => {
    const cmd = command.event(CONV, 'e-dup');
    await h.deliver(cmd, { id: 'bus-1' });
    await expect(h.deliver(cmd, { id: 'bus-2' })).resolves.toBe('already-sent');
    expect(h.accepted(CONV).events).toHaveLength(1);
  });

  it('a failed status write is retried: the redelivery answers ALREADY_EXISTS and records SENT', async () => {
    const event = cloudEventOf(command.message(CONV, 'm-store'));
    h.outboundLog.failNextRecord();
    await expect(h.handler(event)).rejects.toThrow('store unavailable');
    await expect(h.handler(event)).resolves.toBe('already-sent');
    expect(h.accepted(CONV).messages).toHaveLength(1);
    expect(h.outboundLog.statuses(CONV, 'm-store')).toEqual(['SENT']);
  });

  it('a store that refuses the write for good does not hold the conversation: logged, acknowledged', async () => {
    h.outboundLog.failNextRecord(
      new PermanentFailure('message log key m-clash is a customer event'),
    );
    await expect(h.deliver(command.message(CONV, 'm-clash'))).resolves.toBe('sent');
    expect(withEvent('send_record_failed')[0]).toMatchObject({ severity: 'ERROR', status: 'SENT' });
  });
});

describe('permanent refusals: recorded FAILED, logged, acknowledged', () => {
  it('PERMISSION_DENIED (403) for a conversation the agent may not use', async () => {
    await start({ standin: { unknownConversations: ['conv-foreign'] } });
    await expect(h.deliver(command.message('conv-foreign', 'm-403'))).resolves.toBe('failed');
    expect(h.outboundLog.records).toEqual([
      expect.objectContaining({
        conversationId: 'conv-foreign',
        id: 'm-403',
        status: 'FAILED',
        reason: 'PERMISSION_DENIED: The caller does not have permission',
      }),
    ]);
    await expect(h.outboundLog.entry('conv-foreign', 'm-403')).resolves.toMatchObject({
      status: 'FAILED',
      reason: 'PERMISSION_DENIED: The caller does not have permission',
    });
    const [line] = withEvent('send_failed');
    expect(line).toMatchObject({
      severity: 'ERROR',
      reason: 'PERMISSION_DENIED',
      status: 403,
      call: 'messages.create',
      'logging.googleapis.com/labels': {
        component: 'sender',
        conversationId: 'conv-foreign',
        brandId: BRAND,
        messageId: 'm-403',
        agentId: 'velo-cafe-agent',
      },
      'logging.googleapis.com/trace': `projects/test-project/traces/${TRACE}`,
    });
  });

  it('INVALID_ARGUMENT (400)', async () => {
    await start({ standin: { faults: { rate: 1, codes: [400] } } });
    await expect(h.deliver(command.event(CONV, 'e-400'))).resolves.toBe('failed');
    expect(h.outboundLog.records[0]).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/^INVALID_ARGUMENT: /),
    });
  });

  it('RESOURCE_EXHAUSTED for a second survey within 24 hours', async () => {
    await start();
    await expect(h.deliver(command.survey(CONV, 's-first'))).resolves.toBe('sent');
    clock.advance(23 * 60 * 60 * 1000);
    await expect(h.deliver(command.survey(CONV, 's-second'))).resolves.toBe('failed');
    expect(h.outboundLog.statuses(CONV, 's-second')).toEqual(['FAILED']);
    expect(h.outboundLog.records[1]?.reason).toMatch(/^RESOURCE_EXHAUSTED: /);
    expect(h.accepted(CONV).surveys).toHaveLength(1);
  });

  it('FAILED_PRECONDITION (400 with that status: the device cannot show it, no fallback)', async () => {
    // The stand-in never answers FAILED_PRECONDITION; this fakes the answer at the port.
    const refusing = (real: BusinessMessagesApi): BusinessMessagesApi => ({
      ...real,
      createMessage: () =>
        Promise.reject(
          new ApiError({
            call: 'messages.create',
            status: 400,
            code: 'FAILED_PRECONDITION',
            message: 'The user device does not support this message type.',
            retryable: false,
          }),
        ),
    });
    await start({ api: refusing });
    await expect(h.deliver(command.message(CONV, 'm-fp'))).resolves.toBe('failed');
    expect(h.outboundLog.records[0]).toMatchObject({
      status: 'FAILED',
      reason: 'FAILED_PRECONDITION: The user device does not support this message type.',
    });
  });

  it('is not retried: on a redelivering bus it is delivered once and never dead-lettered', async () => {
    await start({
      standin: { unknownConversations: ['conv-foreign'] },
      bus: { maxDeliveryAttempts: 5 },
    });
    const attempts: number[] = [];
    h.bus.subscribe('outbound', async (m) => {
      attempts.push(m.deliveryAttempt);
      await h.handler(toPubSubCloudEvent('projects/p/topics/outbound', m));
    });
    await h.bus.publish('outbound', {
      data: JSON.stringify(command.message('conv-foreign', 'm-once')),
      attributes: {},
      orderingKey: 'conv-foreign',
    });
    await h.bus.drain();
    expect(attempts).toEqual([1]);
    expect(h.bus.deadLettered).toHaveLength(0);
    expect(h.requests).toHaveLength(1);
  });
});

describe('transient failures throw, so Pub/Sub redelivers', () => {
  it.each([500, 503, 504, 429] as const)(
    '%i: throws a retryable ApiError, records nothing',
    async (code) => {
      await start({ standin: { faults: { rate: 1, codes: [code] } } });
      const error = await rejection(h.deliver(command.message(CONV, `m-${code}`)));
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: code, retryable: true });
      expect(h.outboundLog.records).toEqual([]);
      expect(withEvent('send_retry')[0]).toMatchObject({ severity: 'WARNING', status: code });
    },
  );

  it('no answer at all (connection refused) throws a retryable ApiError', async () => {
    await start();
    await h.standin.close();
    const error = await rejection(h.deliver(command.event(CONV, 'e-down')));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', status: 0, retryable: true });
  });

  it('Retry-After on a 429 is logged; the waiting is left to Pub/Sub', async () => {
    const throttled = (real: BusinessMessagesApi): BusinessMessagesApi => ({
      ...real,
      createMessage: () =>
        Promise.reject(
          new ApiError({
            call: 'messages.create',
            status: 429,
            code: 'RESOURCE_EXHAUSTED',
            message: 'Quota exceeded',
            retryable: true,
            retryAfterMs: 30_000,
          }),
        ),
    });
    await start({ api: throttled });
    await expect(h.deliver(command.message(CONV, 'm-429'))).rejects.toBeInstanceOf(ApiError);
    expect(withEvent('send_retry')[0]).toMatchObject({
      reason: 'RESOURCE_EXHAUSTED',
      retryAfterSeconds: 30,
    });
    expect(clock.sleeps).toEqual([]);
  });

  it('a retried transient failure lands once the API recovers', async () => {
    await start({ standin: { faults: { rate: 1, codes: [503] } } });
    const event = cloudEventOf(command.message(CONV, 'm-later'));
    await expect(h.handler(event)).rejects.toBeInstanceOf(ApiError);
    h.standin.state.controls.faults = { ...h.standin.state.controls.faults, rate: 0 };
    await expect(h.handler(event)).resolves.toBe('sent');
    expect(h.accepted(CONV).messages).toHaveLength(1);
  });
});

describe("the 30-day window from the customer's last message", () => {
  beforeEach(() => start());

  it('30 days + 1 ms: not attempted, recorded EXPIRED', async () => {
    await h.outboundLog.setLastUserMessageAt(CONV, new Date(T0.getTime() - SEND_WINDOW_MS - 1));
    await expect(h.deliver(command.message(CONV, 'm-late'))).resolves.toBe('expired');
    expect(h.requests).toEqual([]);
    expect(h.outboundLog.records).toEqual([
      expect.objectContaining({
        id: 'm-late',
        status: 'EXPIRED',
        reason: expect.stringContaining('more than 30 days'),
      }),
    ]);
    expect(withEvent('send_expired')).toHaveLength(1);
    await expect(h.outboundLog.entry(CONV, 'm-late')).resolves.toMatchObject({
      status: 'EXPIRED',
    });
  });

  it('exactly 30 days: sent', async () => {
    await h.outboundLog.setLastUserMessageAt(CONV, new Date(T0.getTime() - SEND_WINDOW_MS));
    await expect(h.deliver(command.message(CONV, 'm-edge'))).resolves.toBe('sent');
  });

  it('unknown last customer message: attempted', async () => {
    await expect(h.deliver(command.event(CONV, 'e-unknown'))).resolves.toBe('sent');
  });

  describe('carried on the command by its publisher (lastUserMessageAt)', () => {
    const at = (msAgo: number) => new Date(T0.getTime() - msAgo).toISOString();

    it('inside the window: sent without reading the conversation', async () => {
      // The store's copy is older still; it is never asked.
      await h.outboundLog.setLastUserMessageAt(CONV, new Date(T0.getTime() - SEND_WINDOW_MS - 1));
      const reply = withLastUserMessageAt(command.message(CONV, 'm-carried'), at(1_000));
      await expect(h.deliver(reply)).resolves.toBe('sent');
      const edge = withLastUserMessageAt(command.event(CONV, 'e-edge'), at(SEND_WINDOW_MS));
      await expect(h.deliver(edge)).resolves.toBe('sent');
      expect(h.outboundLog.windowReads).toEqual([]);
    });

    it('outside the window it may be stale: the store decides, and the customer wrote since', async () => {
      await h.outboundLog.setLastUserMessageAt(CONV, new Date(T0.getTime() - 1_000));
      const late = withLastUserMessageAt(command.message(CONV, 'm-stale'), at(SEND_WINDOW_MS + 1));
      await expect(h.deliver(late)).resolves.toBe('sent');
      expect(h.outboundLog.windowReads).toEqual([CONV]);
    });

    it('outside the window, and so is the stored one: EXPIRED, as without it', async () => {
      await h.outboundLog.setLastUserMessageAt(CONV, new Date(T0.getTime() - SEND_WINDOW_MS - 1));
      const late = withLastUserMessageAt(command.message(CONV, 'm-late'), at(SEND_WINDOW_MS + 1));
      await expect(h.deliver(late)).resolves.toBe('expired');
      expect(h.requests).toEqual([]);
      expect(h.outboundLog.statuses(CONV, 'm-late')).toEqual(['EXPIRED']);
    });
  });
});

describe('60 sends per minute per conversation', () => {
  beforeEach(() => start());

  it('the 61st send in one minute is deferred (retryable) without calling the API', async () => {
    for (let i = 1; i <= 60; i++) {
      const cmd = i % 10 === 0 ? command.event(CONV, `e-${i}`) : command.message(CONV, `m-${i}`);
      await expect(h.deliver(cmd)).resolves.toBe('sent');
    }
    const error = await rejection(h.deliver(command.message(CONV, 'm-61')));
    expect(error).toBeInstanceOf(QuotaDeferredError);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    expect(h.requests).toHaveLength(60);
    expect(h.outboundLog.statuses(CONV, 'm-61')).toEqual([]);
    expect(withEvent('send_deferred')).toHaveLength(1);
    // Other conversations have their own quota; surveys and receipts are not counted.
    await expect(h.deliver(command.message('conv-other', 'm-x'))).resolves.toBe('sent');
    await expect(h.deliver(command.receipt(CONV, 'user-1'))).resolves.toBe('sent');
    // A minute after the first send, the redelivery goes through.
    clock.advance(60_000);
    await expect(h.deliver(command.message(CONV, 'm-61'))).resolves.toBe('sent');
  });

  it('holds for commands that carry the window too (no store read before the quota)', async () => {
    const carried = T0.toISOString();
    for (let i = 1; i <= 60; i++) {
      const cmd = withLastUserMessageAt(command.message(CONV, `m-${i}`), carried);
      await expect(h.deliver(cmd)).resolves.toBe('sent');
    }
    const late = withLastUserMessageAt(command.message(CONV, 'm-61'), carried);
    await expect(rejection(h.deliver(late))).resolves.toBeInstanceOf(QuotaDeferredError);
    expect(h.requests).toHaveLength(60);
    expect(h.outboundLog.windowReads).toEqual([]);
    clock.advance(60_000);
    await expect(h.deliver(late)).resolves.toBe('sent');
  });

  it('when a slot frees soon, the 61st waits for it (injected sleep) and is sent', async () => {
    for (let i = 1; i <= 60; i++) {
      await h.deliver(command.message(CONV, `m-${i}`));
      clock.advance(i === 60 ? 0 : 950); // 60 sends over 56.05 s
    }
    await expect(h.deliver(command.message(CONV, 'm-61'))).resolves.toBe('sent');
    expect(clock.sleeps).toEqual([60_000 - 59 * 950]);
    expect(withEvent('send_throttled')[0]).toMatchObject({ waitedMs: 3_950 });
    // What the API saw: no 60-second window holds more than 60 messages.
    const times = h.accepted(CONV).messages.map((m) => Date.parse(m.receivedAt));
    expect(times).toHaveLength(61);
    for (const t of times) {
      expect(times.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(60);
    }
  });
});

describe('commands that are not commands', () => {
  beforeEach(() => start());

  it('invalid JSON goes raw to quarantine and is acknowledged', async () => {
    const raw = '{"type":"message","conversationId":"conv-q",';
    await expect(
      h.deliver(undefined, { raw, attributes: { conversation: 'conv-q' } }),
    ).resolves.toBe('quarantined');
    const [kept] = h.bus.published;
    expect(kept?.topic).toBe('quarantine');
    expect(Buffer.from(kept!.data).toString()).toBe(raw);
    expect(kept?.attributes).toMatchObject({
      source: 'sender',
      conversation: 'conv-q',
      traceId: TRACE,
      reason: expect.stringMatching(/^invalid JSON/),
    });
    expect(withEvent('event_quarantined')[0]).toMatchObject({ severity: 'ERROR' });
    expect(h.requests).toEqual([]);
  });

  it('invalid JSON: a fixed reason; the data’s words are in no log line or attribute', async () => {
    const raw = '{"text": secret42}';
    await expect(h.deliver(undefined, { raw })).resolves.toBe('quarantined');
    const [kept] = h.bus.published;
    expect(kept?.attributes.reason).toBe('invalid JSON (SyntaxError)');
    expect(JSON.stringify(kept?.attributes)).not.toContain('secret42');
    expect(h.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(h.logs)).not.toContain('secret42');
  });

  it('a command that fails the schema (text over 3,072 characters) is quarantined, not sent', async () => {
    const cmd = command.message(CONV, 'm-long', 'x'.repeat(3073));
    await expect(h.deliver(cmd)).resolves.toBe('quarantined');
    expect(h.bus.published[0]?.attributes.reason).toMatch(
      /message\.text: text must be at most 3072/,
    );
    expect(h.bus.published[0]?.attributes.conversation).toBe(CONV);
    expect(h.requests).toEqual([]);
    expect(h.outboundLog.records).toEqual([]);
  });

  it('an unknown command type is quarantined', async () => {
    const cmd = { ...command.survey(CONV, 's-x'), type: 'carrier-pigeon' };
    await expect(h.deliver(cmd)).resolves.toBe('quarantined');
  });

  it('a quarantine that cannot be published is retried', async () => {
    h.bus.failNextPublish('quarantine');
    await expect(h.deliver(undefined, { raw: 'not json' })).rejects.toThrow(/quarantine/);
  });
});

describe('logs', () => {
  it('carry conversation, brand, message ID and trace; never the text by default', async () => {
    await start();
    await h.deliver(command.message(CONV, 'm-log', 'secret text'));
    const [line] = withEvent('send_succeeded');
    expect(line).toMatchObject({
      severity: 'INFO',
      kind: 'message',
      result: 'created',
      'logging.googleapis.com/labels': {
        conversationId: CONV,
        brandId: BRAND,
        messageId: 'm-log',
      },
      'logging.googleapis.com/trace': `projects/test-project/traces/${TRACE}`,
    });
    expect(JSON.stringify(h.logs)).not.toContain('secret text');
  });

  it('carry the text with LOG_CONTENT', async () => {
    await start({ logContent: true });
    await h.deliver(command.message(CONV, 'm-log', 'visible text'));
    expect(withEvent('send_succeeded')[0]).toMatchObject({ content: { text: 'visible text' } });
  });
});
