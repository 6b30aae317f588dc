import { InMemoryBrandDirectory } from '../../functions/adapters/in-memory-brand-directory';
import { BrandConfigError } from '../../functions/core/brand-config';
import type { SendMessageCommand } from '../../functions/core/outbound-command';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import type { AutomationDeps } from '../../functions/automation/handler';
import { AGENT, CONVERSATION } from '../fixtures/webhook-events';
import { webhookBody } from '../support/inbound-events';
import { START, TRACE, automationHarness, cloudEventOf } from './harness';

const says = (text: string, requestId: string, patch: Record<string, unknown> = {}) =>
  webhookBody('text', { requestId, patch: { message: { text }, ...patch } });

const kinds = (h: ReturnType<typeof automationHarness>) =>
  h
    .outbound()
    .map((c) =>
      c.type === 'event' ? c.event.eventType : c.type === 'message' ? c.message.messageId : c.type,
    );

describe('automation handler', () => {
  it('answers on `outbound`: greeting then answer, no typing around them; ordered by conversation', async () => {
    const h = automationHarness();
    expect(await h.customerSends(says('Hello, are you open on Sunday?', 'r-1'))).toBe('automation');

    expect(kinds(h)).toEqual([
      expect.stringMatching(/^[0-9a-f]{32}-m0$/),
      expect.stringMatching(/^[0-9a-f]{32}-m1$/),
    ]);
    const [routed] = h.routed();
    for (const m of h.outboundMessages()) {
      expect(m.orderingKey).toBe(CONVERSATION);
      expect(m.attributes).toEqual({
        brand: 'velo-cafe',
        conversation: CONVERSATION,
        type: 'message',
        causedBy: 'r:r-1',
        traceId: TRACE,
      });
    }
    const { routedAt, conversation } = JSON.parse(h.text(routed!)) as {
      routedAt: string;
      conversation: { lastUserMessageAt: string };
    };
    expect(
      h.outbound().every(
        (c) =>
          c.createdAt === routedAt &&
          c.agent === AGENT &&
          // What the sender needs for the 30-day window, so it need not read it.
          c.lastUserMessageAt === conversation.lastUserMessageAt,
      ),
    ).toBe(true);
    expect(conversation.lastUserMessageAt).toEqual(expect.any(String));
    expect(h.outcomes).toEqual([
      { status: 'answered', reason: 'intent', outcome: 'matched', commands: 2 },
    ]);
  });

  it('puts typing indicators around the answer for a brand that asks for them, in order', async () => {
    const document = sampleBrandDocument() as { bot: Record<string, unknown> };
    document.bot.typingIndicators = true;
    const h = automationHarness({ brands: new InMemoryBrandDirectory([document]) });
    await h.customerSends(says('Hello, are you open on Sunday?', 'r-1'));
    await h.customerSends(says('How much is a cappuccino?', 'r-2'));
    expect(kinds(h)).toEqual([
      'TYPING_STARTED',
      expect.stringMatching(/-m0$/),
      expect.stringMatching(/-m1$/),
      'TYPING_STOPPED',
      'TYPING_STARTED',
      expect.stringMatching(/-m1$/),
      'TYPING_STOPPED',
    ]);
    const ids = h.outbound().map((c) => (c.type === 'event' ? c.eventId : ''));
    expect(ids.filter((id) => id !== '').map((id) => id.slice(-3))).toEqual([
      '-ts',
      '-te',
      '-ts',
      '-te',
    ]);
    expect(new Set(ids.filter((id) => id !== '')).size).toBe(4);
    expect(h.outboundMessages().every((m) => m.orderingKey === CONVERSATION)).toBe(true);
  });

  it('reads no message log: the routed event says whether it opened the conversation', async () => {
    const h = automationHarness();
    await h.customerSends(says('Hello, are you open on Sunday?', 'r-1'));
    await h.customerSends(says('How much is a cappuccino?', 'r-2'));
    expect(h.historyReads()).toBe(0);
    const messageIds = h
      .outbound()
      .filter((c): c is SendMessageCommand => c.type === 'message')
      .map((c) => [c.causedBy, c.message.messageId.slice(-3)]);
    expect(messageIds).toEqual([
      ['r:r-1', '-m0'],
      ['r:r-1', '-m1'],
      ['r:r-2', '-m1'],
    ]);
  });

  it('a republished routed event (no createdConversation) reads the log and answers the same', async () => {
    const h = automationHarness();
    await h.customerSends(says('Hello, are you open on Sunday?', 'r-1'));
    const first = h.outboundMessages().map((m) => h.text(m));
    // What the classifier republishes for a redelivered inbound event: the recorded routing.
    const routed = h.routed()[0]!;
    const { createdConversation, ...recorded } = JSON.parse(h.text(routed)) as Record<
      string,
      unknown
    >;
    expect(createdConversation).toBe(true);
    await h.handler(cloudEventOf({ ...routed, data: Buffer.from(JSON.stringify(recorded)) }));
    expect(h.historyReads()).toBe(1);
    expect(h.outboundMessages().map((m) => h.text(m))).toEqual([...first, ...first]);
  });

  it('greets only the first message of a conversation', async () => {
    const h = automationHarness();
    await h.customerSends(says('Bonjour', 'r-1'));
    await h.customerSends(says('Vous êtes ouverts dimanche ?', 'r-2'));
    const ids = h
      .outbound()
      .filter((c): c is SendMessageCommand => c.type === 'message')
      .map((c) => [c.causedBy, c.message.messageId.slice(-3)]);
    // "Bonjour" is small talk the greeting answers (`answeredByGreeting`).
    expect(ids).toEqual([
      ['r:r-1', '-m0'],
      ['r:r-2', '-m1'],
    ]);
  });

  it('publishes byte-identical commands when the same routed event is delivered again', async () => {
    const h = automationHarness();
    await h.customerSends(says('Where are you?', 'r-1'));
    const first = h.outboundMessages().map((m) => [h.text(m), m.attributes, m.orderingKey]);

    // Pub/Sub redelivers the same message an hour later (and after the store has moved on).
    h.advance(60 * 60 * 1000);
    await h.handler(cloudEventOf(h.routed()[0]!));
    const all = h.outboundMessages().map((m) => [h.text(m), m.attributes, m.orderingKey]);
    expect(all).toHaveLength(first.length * 2);
    expect(all.slice(first.length)).toEqual(first);
  });

  it('counts a miss once per event and resets on a match; two misses hand over', async () => {
    const h = automationHarness();
    const misses = async () => (await h.store.getConversation(CONVERSATION))?.botMisses;
    await h.customerSends(says('Hi', 'r-0'));
    await h.customerSends(says('xyzzy', 'r-1'));
    expect(await misses()).toBe(1);

    await h.handler(cloudEventOf(h.routed().at(-1)!)); // redelivered: not counted again
    expect(await misses()).toBe(1);

    await h.customerSends(says('prices?', 'r-2'));
    expect(await misses()).toBe(0);

    await h.customerSends(says('plugh', 'r-3'));
    await h.customerSends(says('plover', 'r-4'));
    expect(await misses()).toBe(2);
    // The classifier's threshold (the sample brand's missThreshold 2) hands the next over.
    expect(await h.customerSends(says('hello?', 'r-5'))).toBe('live-agent');
  });

  it('stays silent when Google’s Dialogflow already answered', async () => {
    const h = automationHarness();
    const body = webhookBody('dialogflow', {
      patch: { dialogflowResponse: { queryText: 'prices', autoResponded: true } },
    });
    await h.customerSends(body);
    expect(h.outbound()).toEqual([]);
    expect(h.outcomes).toEqual([
      { status: 'silent', reason: 'dialogflow_answered', outcome: 'none', commands: 0 },
    ]);
    expect(h.logLines().find((l) => l.event === 'bot_silent')).toBeDefined();
  });

  it('marks the commands of a dedicated brand for its own sender', async () => {
    const h = automationHarness({
      brands: new InMemoryBrandDirectory([
        { ...(sampleBrandDocument() as object), dedicated: true },
      ]),
    });
    await h.customerSends(says('hours', 'r-1'));
    expect(h.outboundMessages().every((m) => m.attributes.dedicated === 'true')).toBe(true);
  });

  it('logs the answer without the customer’s words', async () => {
    const h = automationHarness();
    await h.customerSends(says('Is the workshop open on Sunday?', 'r-1'));
    const replied = h.logLines().find((l) => l.event === 'bot_replied');
    expect(replied).toMatchObject({
      severity: 'INFO',
      reason: 'intent',
      intentId: 'hours',
      locale: 'en',
      newConversation: true,
      'logging.googleapis.com/trace': `projects/test-project/traces/${TRACE}`,
      'logging.googleapis.com/labels': expect.objectContaining({
        conversationId: CONVERSATION,
        brandId: 'velo-cafe',
        dedupeKey: 'r:r-1',
      }),
    });
    expect(h.logs.join('\n')).not.toContain('workshop');
  });

  describe('permanent failures: quarantined with the reason, acknowledged', () => {
    const failing = (error: Error): AutomationDeps['brands'] => ({
      get: () => Promise.reject(error),
    });

    it.each<[string, () => ReturnType<typeof automationHarness>, RegExp]>([
      [
        'no brand configuration',
        () => automationHarness({ brands: new InMemoryBrandDirectory() }),
        /^no brand configuration for velo-cafe$/,
      ],
      [
        'an invalid brand configuration',
        () =>
          automationHarness({
            brands: failing(new BrandConfigError('velo-cafe', ['intents[0].id: expected …'])),
          }),
        /^invalid brand configuration for velo-cafe:/,
      ],
      [
        'an agent the brand does not list',
        () => {
          const document = sampleBrandDocument() as { agents: string[] };
          document.agents = ['brands/velo-cafe/agents/another-agent'];
          return automationHarness({ brands: new InMemoryBrandDirectory([document]) });
        },
        /^agent brands\/velo-cafe\/agents\/velo-cafe-agent is not configured for brand velo-cafe$/,
      ],
    ])('%s', async (_name, make, reason) => {
      const h = make();
      await h.customerSends(says('hours', 'r-1'));
      expect(h.outbound()).toEqual([]);
      const [kept] = h.quarantined();
      expect(h.text(kept!)).toBe(h.text(h.routed()[0]!));
      expect(kept?.attributes).toMatchObject({
        source: 'automation',
        reason: expect.stringMatching(reason),
        conversation: CONVERSATION,
        dedupeKey: 'r:r-1',
        traceId: TRACE,
      });
      expect(h.outcomes).toEqual([
        { status: 'quarantined', reason: expect.stringMatching(reason) },
      ]);
      expect(h.bus.deadLettered).toEqual([]);
      const logged = h.logLines().find((l) => l.event === 'event_quarantined');
      expect(logged).toMatchObject({
        severity: 'ERROR',
        'logging.googleapis.com/labels': expect.objectContaining({ brandId: 'velo-cafe' }),
      });
    });

    it.each<[string, unknown, RegExp]>([
      ['not a Pub/Sub CloudEvent', { data: 'nope' }, /^not a Pub\/Sub CloudEvent/],
      [
        'data that is not JSON',
        { data: { message: { messageId: '1', data: Buffer.from('{oops').toString('base64') } } },
        /^invalid JSON/,
      ],
      [
        'JSON that is not a routed event',
        {
          data: {
            message: {
              messageId: '1',
              data: Buffer.from('{"schemaVersion":9}').toString('base64'),
            },
          },
        },
        /^not a routed event/,
      ],
    ])('%s', async (_name, cloudEvent, reason) => {
      const h = automationHarness();
      await expect(h.handler(cloudEvent)).resolves.toEqual({
        status: 'quarantined',
        reason: expect.stringMatching(reason),
      });
      expect(h.quarantined()).toHaveLength(1);
      expect(h.quarantined()[0]?.attributes.source).toBe('automation');
    });
  });

  it('invalid JSON: a fixed reason; the data’s words are in no log line or attribute', async () => {
    const h = automationHarness();
    const data = Buffer.from('{"text": secret42}').toString('base64');
    await expect(
      h.handler({ data: { message: { messageId: '1', data, attributes: { traceId: TRACE } } } }),
    ).resolves.toEqual({ status: 'quarantined', reason: 'invalid JSON (SyntaxError)' });
    const [kept] = h.quarantined();
    expect(kept?.attributes).toMatchObject({ source: 'automation', traceId: TRACE });
    expect(JSON.stringify(kept?.attributes)).not.toContain('secret42');
    expect(h.logLines().map((l) => l.event)).toEqual(['event_quarantined']);
    expect(h.logs.join('\n')).not.toContain('secret42');
  });

  describe('transient failures: thrown, so Pub/Sub redelivers', () => {
    it('a failed publish is retried, and the retry publishes the same commands', async () => {
      const h = automationHarness();
      h.bus.failNextPublish('outbound');
      await h.customerSends(says('hours', 'r-1'));
      expect(h.outcomes[0]).toBeInstanceOf(Error);
      expect(h.outcomes[1]).toMatchObject({ status: 'answered' });
      expect(kinds(h)).toEqual([expect.stringMatching(/-m0$/), expect.stringMatching(/-m1$/)]);
      const retry = h.logLines().find((l) => l.event === 'automation_retry');
      expect(retry).toMatchObject({ severity: 'WARNING' });
      expect(h.quarantined()).toEqual([]);
    });

    it('a store that is down is not a reason to quarantine', async () => {
      const h = automationHarness({
        overrides: {
          outcomes: { recordBotOutcome: () => Promise.reject(new Error('UNAVAILABLE')) },
        },
      });
      // A hit with no misses to reset needs no write; a miss must be counted, so it needs
      // the store.
      await h.customerSends(says('hours', 'r-1'));
      expect(h.outcomes).toEqual([expect.objectContaining({ status: 'answered' })]);
      const answered = h.outbound().length;
      await h.customerSends(says('zzz qqq', 'r-2'));
      expect(h.outcomes.slice(1).length).toBeGreaterThan(0);
      expect(h.outcomes.slice(1).every((o) => o instanceof Error)).toBe(true);
      expect(h.bus.deadLettered).toHaveLength(1);
      expect(h.quarantined()).toEqual([]);
      expect(h.outbound()).toHaveLength(answered);
    });

    it('a brand directory that cannot be read is retried too', async () => {
      const h = automationHarness({
        brands: { get: () => Promise.reject(new Error('DEADLINE_EXCEEDED')) },
      });
      await h.customerSends(says('hours', 'r-1'));
      expect(h.quarantined()).toEqual([]);
      expect(h.bus.deadLettered).toHaveLength(1);
    });
  });

  it('hours are those of the routing time, not of a late redelivery', async () => {
    const document = sampleBrandDocument() as { hours: { bot: { weekly: object } } };
    // Open only 11:00–12:00 in Paris; START is 11:15 there.
    document.hours.bot.weekly = { wed: ['11:00-12:00'] };
    const h = automationHarness({ brands: new InMemoryBrandDirectory([document]) });
    await h.customerSends(says('hours', 'r-1'));
    const first = h.outboundMessages().map((m) => h.text(m));
    h.advance(3 * 60 * 60 * 1000);
    await h.handler(cloudEventOf(h.routed()[0]!));
    expect(h.outboundMessages().map((m) => h.text(m))).toEqual([...first, ...first]);
    expect(START.toISOString()).toBe('2026-11-25T10:15:31.000Z');
  });
});
