import { InMemoryBrandDirectory } from '../../functions/adapters/in-memory-brand-directory';
import { InMemoryConversationStore } from '../../functions/adapters/in-memory-conversation-store';
import {
  InMemoryEventBus,
  type DeliveredMessage,
} from '../../functions/adapters/in-memory-event-bus';
import { makeClassifierHandler } from '../../functions/classifier/handler';
import { PermanentFailure } from '../../functions/core/failure';
import { parseRoutedEvent } from '../../functions/core/routed-event';
import { sha256Digest } from '../../functions/platform/digest';
import { toPubSubCloudEvent } from '../../functions/platform/pubsub-cloud-event';
import { reject, type ConversationStore } from '../../functions/ports/conversation-store';
import type { FixtureName } from '../fixtures/webhook-events';
import { placeholderTypingEvent } from '../fixtures/webhook-events';
import {
  inboundEvent,
  webhookBody,
  type BodyOptions,
  type WebhookBody,
} from '../support/inbound-events';
import { LogCapture } from '../support/log-capture';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const TRACE = '105445aa7843bc8bf206b12000100000';

interface Setup {
  store?: ConversationStore;
  logContent?: boolean;
  brands?: Record<string, { missThreshold: number }>;
}

function classifier(setup: Setup = {}) {
  const store = new InMemoryConversationStore({ now: () => NOW });
  const bus = new InMemoryEventBus({ now: () => NOW });
  // Only routing settings: what the classifier reads of a brand's document.
  const brands = new InMemoryBrandDirectory();
  for (const [brandId, routing] of Object.entries(setup.brands ?? {})) {
    brands.putUnchecked(brandId, { routing });
  }
  const capture = new LogCapture();
  const logs = capture.entries;
  const handler = makeClassifierHandler({
    store: setup.store ?? store,
    brands,
    bus,
    log: capture.logger('classifier', { logContent: setup.logContent ?? false, now: () => NOW }),
    now: () => NOW,
    digest: sha256Digest,
  });
  let sequence = 0;
  /** Delivers a webhook body as the `inbound` subscription would, with the webhook's attributes. */
  const deliver = (body: WebhookBody | string, attributes: Record<string, string> = {}) => {
    const data = typeof body === 'string' ? body : JSON.stringify(body);
    const event = typeof body === 'string' ? undefined : inboundEvent(body);
    return handler(
      toPubSubCloudEvent('projects/test-project/topics/inbound', {
        id: String(++sequence),
        data: Buffer.from(data),
        publishTime: NOW.toISOString(),
        attributes: event
          ? {
              brand: event.brandId,
              agent: event.agent,
              conversation: event.conversationId,
              kind: event.kind,
              dedupeKey: event.dedupeKey,
              traceId: TRACE,
              receivedAt: NOW.toISOString(),
              ...attributes,
            }
          : attributes,
      }),
    );
  };
  const on = (topic: DeliveredMessage['topic']) => bus.published.filter((m) => m.topic === topic);
  return { handler, deliver, store, bus, logs, on, brands };
}

let conversationCounter = 0;
/** A fixture's body in a conversation of this test's own. */
const body = (name: FixtureName, options: BodyOptions = {}) =>
  webhookBody(name, { conversationId: `conv-${++conversationCounter}`, ...options });
const text = (conversationId: string, words: string, n = 1) =>
  webhookBody('text', {
    conversationId,
    requestId: `req-${conversationId}-${n}`,
    patch: { message: { messageId: `m-${n}`, text: words, createTime: `2026-11-25T10:0${n}:00Z` } },
  });

const decode = (m: DeliveredMessage) => {
  const parsed = parseRoutedEvent(JSON.parse(Buffer.from(m.data).toString('utf8')), sha256Digest);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed;
};

describe('classifier: routing', () => {
  it('publishes a text to automation with the webhook, the decision and the conversation', async () => {
    const c = classifier();
    const webhook = body('text');
    const event = inboundEvent(webhook);
    await expect(c.deliver(webhook)).resolves.toEqual({
      status: 'routed',
      route: 'automation',
      reason: 'default',
      duplicate: false,
    });
    expect(c.bus.published).toHaveLength(1);
    const [message] = c.on('automation');
    expect(message?.orderingKey).toBe(event.conversationId);
    expect(message?.attributes).toEqual({
      brand: 'velo-cafe',
      agent: 'brands/velo-cafe/agents/velo-cafe-agent',
      conversation: event.conversationId,
      kind: 'text',
      dedupeKey: event.dedupeKey,
      traceId: TRACE,
      route: 'automation',
      reason: 'default',
    });
    const routed = decode(message!);
    expect(routed.event).toEqual(event);
    expect(routed.value).toEqual({
      schemaVersion: 1,
      webhook,
      decision: { route: 'automation', reason: 'default' },
      conversation: {
        state: 'bot',
        brandId: 'velo-cafe',
        agent: 'brands/velo-cafe/agents/velo-cafe-agent',
        locale: 'en',
        origin: {
          entryPoint: 'PLACESHEET',
          placeId: 'ChIJN1t_tDeuEmsRUsoyG83frY4',
          resolvedLocale: 'en',
          userDeviceLocale: 'en-GB',
        },
        botMisses: 0,
        assignee: null,
        lastUserMessageAt: '2026-11-25T10:15:30.123Z',
      },
      routedAt: NOW.toISOString(),
      // The conversation's first event: the bot greets it without reading the message log.
      createdConversation: true,
    });
  });

  it('says whether the event created the conversation: typing before it does not count', async () => {
    const c = classifier();
    const id = `created-${++conversationCounter}`;
    // Typing and receipts create no conversation, so the first message still opens it.
    await c.deliver(body('typing', { conversationId: id }));
    await c.deliver(text(id, 'hours?', 1));
    await c.deliver(text(id, 'prices?', 2));
    const created = c.on('automation').map((m) => decode(m).value.createdConversation);
    expect(created).toEqual([true, false]);
  });

  const claim = (store: ConversationStore, id: string) =>
    store.updateConversation(id, `claim-${id}`, (conv) =>
      conv
        ? { ...conv, state: 'with_agent', assignee: { agentId: 'sam', displayName: 'Sam' } }
        : reject('nf', 'nf'),
    );
  const close = (store: ConversationStore, id: string) =>
    store.updateConversation(id, `close-${id}`, (conv) =>
      conv ? { ...conv, state: 'closed' } : reject('nf', 'nf'),
    );

  type Case = {
    name: string;
    before?: (c: ReturnType<typeof classifier>, id: string) => Promise<unknown>;
    event: (id: string) => WebhookBody;
    brands?: Record<string, { missThreshold: number }>;
    route: 'automation' | 'live-agent' | null;
    reason: string;
    state: string | null;
  };
  const cases: Case[] = [
    {
      name: 'an image',
      event: (id) => body('image', { conversationId: id }),
      route: 'automation',
      reason: 'default',
      state: 'bot',
    },
    {
      name: 'a chip',
      event: (id) => body('suggestion', { conversationId: id }),
      route: 'automation',
      reason: 'default',
      state: 'bot',
    },
    {
      name: 'a chip whose postback data says live-agent',
      event: (id) =>
        body('suggestion', {
          conversationId: id,
          patch: { suggestionResponse: { postbackData: 'live-agent', text: 'Menu' } },
        }),
      route: 'automation',
      reason: 'default',
      state: 'bot',
    },
    {
      name: 'a live agent request',
      event: (id) => body('liveAgentRequest', { conversationId: id }),
      route: 'live-agent',
      reason: 'live-agent-requested',
      state: 'queued',
    },
    {
      name: 'asking for a human in English',
      event: (id) => text(id, 'Can I talk to a real person?'),
      route: 'live-agent',
      reason: 'asked-for-human',
      state: 'queued',
    },
    {
      name: 'asking for a human in French',
      event: (id) => text(id, 'Je veux parler à quelqu’un'),
      route: 'live-agent',
      reason: 'asked-for-human',
      state: 'queued',
    },
    {
      name: 'after two bot misses',
      before: async (c, id) => {
        await c.deliver(text(id, 'gift cards?', 1));
        await c.store.recordBotOutcome(id, `r:req-${id}-1`, false);
        await c.deliver(text(id, 'vouchers?', 2));
        await c.store.recordBotOutcome(id, `r:req-${id}-2`, false);
      },
      event: (id) => text(id, 'anything?', 3),
      route: 'live-agent',
      reason: 'bot-missed-2',
      state: 'queued',
    },
    {
      name: 'after two bot misses, for a brand whose threshold is 3',
      brands: { 'velo-cafe': { missThreshold: 3 } },
      before: async (c, id) => {
        await c.deliver(text(id, 'gift cards?', 1));
        await c.store.recordBotOutcome(id, `r:req-${id}-1`, false);
        await c.store.recordBotOutcome(id, `r:req-${id}-x`, false);
      },
      event: (id) => text(id, 'anything?', 3),
      route: 'automation',
      reason: 'default',
      state: 'bot',
    },
    {
      name: 'a message while queued',
      before: (c, id) => c.deliver(body('liveAgentRequest', { conversationId: id })),
      event: (id) => text(id, 'hello?'),
      route: 'live-agent',
      reason: 'queued',
      state: 'queued',
    },
    {
      name: 'a message while a human is engaged',
      before: async (c, id) => {
        await c.deliver(body('liveAgentRequest', { conversationId: id }));
        await claim(c.store, id);
      },
      event: (id) => text(id, 'thanks'),
      route: 'live-agent',
      reason: 'human-engaged',
      state: 'with_agent',
    },
    {
      name: 'typing while a human is engaged',
      before: async (c, id) => {
        await c.deliver(body('liveAgentRequest', { conversationId: id }));
        await claim(c.store, id);
      },
      event: (id) => body('typing', { conversationId: id }),
      route: 'live-agent',
      reason: 'human-engaged',
      state: 'with_agent',
    },
    {
      name: 'typing with the bot',
      before: (c, id) => c.deliver(text(id, 'hi')),
      event: (id) => body('typing', { conversationId: id }),
      route: null,
      reason: 'no-human-engaged',
      state: null,
    },
    {
      name: 'receipts',
      event: (id) => body('readReceipts', { conversationId: id }),
      route: null,
      reason: 'receipts',
      state: null,
    },
    {
      name: 'a survey answer',
      event: (id) => body('survey', { conversationId: id }),
      route: null,
      reason: 'survey-answer',
      state: null,
    },
    {
      name: 'an authentication response',
      event: (id) => body('authentication', { conversationId: id }),
      route: 'automation',
      reason: 'authentication',
      state: 'bot',
    },
    {
      name: 'an unknown kind',
      event: (id) => body('unknownKind', { conversationId: id }),
      route: null,
      reason: 'unknown-kind',
      state: null,
    },
    {
      name: 'a message to a closed conversation (reopened)',
      before: async (c, id) => {
        await c.deliver(text(id, 'hi', 1));
        await close(c.store, id);
      },
      event: (id) =>
        webhookBody('text', {
          conversationId: id,
          requestId: `late-${id}`,
          patch: {
            message: { messageId: 'm-9', text: 'me again', createTime: '2026-11-25T13:00:00Z' },
          },
        }),
      route: 'automation',
      reason: 'default',
      state: 'bot',
    },
    {
      name: 'a message written before the conversation was closed (stale)',
      before: async (c, id) => {
        await c.deliver(text(id, 'hi', 1));
        await close(c.store, id);
      },
      event: (id) => text(id, 'one more thing', 2),
      route: null,
      reason: 'stale',
      state: null,
    },
  ];

  it.each(cases)('$name → $route ($reason)', async (t) => {
    const c = classifier({ brands: t.brands });
    const id = `case-${++conversationCounter}`;
    await t.before?.(c, id);
    const publishedBefore = c.bus.published.length;
    const outcome = await c.deliver(t.event(id));
    const published = c.bus.published.slice(publishedBefore);
    if (t.route === null) {
      expect(outcome).toEqual({ status: 'not-routed', reason: t.reason, duplicate: false });
      expect(published).toEqual([]);
      return;
    }
    expect(outcome).toEqual({
      status: 'routed',
      route: t.route,
      reason: t.reason,
      duplicate: false,
    });
    expect(published).toHaveLength(1);
    expect(published[0]?.topic).toBe(t.route);
    expect(published[0]?.attributes).toMatchObject({ route: t.route, reason: t.reason });
    expect(decode(published[0]!).value.conversation.state).toBe(t.state);
    expect((await c.store.getConversation(id))?.state).toBe(t.state);
  });

  it('stores receipts, survey answers and unknown events without routing them', async () => {
    const c = classifier();
    const id = `store-${++conversationCounter}`;
    await c.deliver(text(id, 'hi'));
    await c.deliver(body('readReceipts', { conversationId: id }));
    await c.deliver(body('survey', { conversationId: id }));
    await c.deliver(body('unknownKind', { conversationId: id }));
    const conversation = await c.store.getConversation(id);
    expect(conversation?.surveyAnswers).toEqual([
      expect.objectContaining({ surveyId: 'survey-77', rating: 'VERY_SATISFIED' }),
    ]);
    const log = await c.store.getMessages(id, 10);
    expect(log.map((m) => [m.direction, m.kind, 'status' in m ? m.status : undefined])).toEqual([
      ['inbound', 'text', undefined],
      ['outbound', undefined, 'READ'],
      ['outbound', undefined, 'READ'],
      ['inbound', 'survey', undefined],
      ['inbound', 'unknown', undefined],
    ]);
  });
});

describe('classifier: exactly-once effects on at-least-once delivery', () => {
  it('a redelivered event changes nothing and republishes the same decision', async () => {
    const c = classifier();
    const webhook = body('liveAgentRequest');
    const id = webhook.conversationId as string;
    await c.deliver(webhook);
    await expect(c.deliver(webhook)).resolves.toEqual({
      status: 'routed',
      route: 'live-agent',
      reason: 'live-agent-requested',
      duplicate: true,
    });
    const [first, second] = c.on('live-agent');
    expect(c.bus.published).toHaveLength(2);
    // The same bytes, but for `createdConversation`: only applying the event could tell it.
    const { createdConversation, ...recorded } = JSON.parse(Buffer.from(first!.data).toString());
    expect(createdConversation).toBe(true);
    expect(Buffer.from(second!.data).toString()).toBe(JSON.stringify(recorded));
    expect(second?.attributes).toEqual(first?.attributes);
    expect(await c.store.getConversation(id)).toMatchObject({ state: 'queued', version: 1 });
    expect(await c.store.getMessages(id, 10)).toHaveLength(1);
    expect(c.logs.find((l) => l.event === 'event_duplicate')).toMatchObject({
      severity: 'INFO',
      republished: true,
      route: 'live-agent',
    });
  });

  it('the decision republished after the state changed is still the first one', async () => {
    const c = classifier();
    const id = `again-${++conversationCounter}`;
    const first = text(id, 'hours?', 1);
    await c.deliver(first);
    await c.deliver(body('liveAgentRequest', { conversationId: id }));
    await c.deliver(first);
    const automation = c.on('automation');
    expect(automation).toHaveLength(2);
    const { createdConversation, ...recorded } = decode(automation[0]!).value;
    expect(createdConversation).toBe(true);
    expect(decode(automation[1]!).value).toEqual(recorded);
    expect(decode(automation[1]!).value.conversation.state).toBe('bot');
  });

  it('nothing is lost when the publish fails after the state was committed', async () => {
    const c = classifier();
    const webhook = body('text');
    c.bus.failNextPublish('automation');
    await expect(c.deliver(webhook)).rejects.toMatchObject({
      name: 'PublishFailedError',
      retryable: true,
    });
    expect(c.bus.published).toHaveLength(0);
    expect(c.logs.find((l) => l.event === 'classifier_retry')).toMatchObject({
      severity: 'WARNING',
    });
    // Pub/Sub redelivers: the state is not applied again, the decision is published.
    await expect(c.deliver(webhook)).resolves.toMatchObject({ status: 'routed', duplicate: true });
    expect(c.on('automation')).toHaveLength(1);
    expect(await c.store.getConversation(webhook.conversationId as string)).toMatchObject({
      version: 1,
    });
  });

  it('wired to a bus that redelivers (the local mode), a failed publish is retried to success', async () => {
    const c = classifier();
    c.bus.subscribe('inbound', async (m) => {
      await c.handler(toPubSubCloudEvent('projects/p/topics/inbound', m));
    });
    c.bus.failNextPublish('automation');
    const webhook = body('text');
    const event = inboundEvent(webhook);
    await c.bus.publish('inbound', {
      data: JSON.stringify(webhook),
      attributes: { dedupeKey: event.dedupeKey, traceId: TRACE },
      orderingKey: event.conversationId,
    });
    await c.bus.drain();
    expect(c.on('automation')).toHaveLength(1);
    expect(c.bus.deadLettered).toEqual([]);
  });
});

describe('classifier: failures', () => {
  it.each([
    ['not a Pub/Sub CloudEvent', { hello: 'world' }, /not a Pub\/Sub CloudEvent/],
    [
      'invalid JSON',
      toPubSubCloudEvent('projects/p/topics/inbound', {
        id: 'm-1',
        data: Buffer.from('{"conversationId": '),
        attributes: { traceId: TRACE },
        publishTime: NOW.toISOString(),
      }),
      /^invalid JSON/,
    ],
    [
      'a schema mismatch',
      toPubSubCloudEvent('projects/p/topics/inbound', {
        id: 'm-2',
        data: Buffer.from(JSON.stringify(placeholderTypingEvent)),
        attributes: {},
        publishTime: NOW.toISOString(),
      }),
      /^schema mismatch/,
    ],
  ])('%s is quarantined with its raw data and acknowledged', async (_name, cloudEvent, reason) => {
    const c = classifier();
    const outcome = await c.handler(cloudEvent);
    expect(outcome).toEqual({ status: 'quarantined', reason: expect.stringMatching(reason) });
    expect(c.bus.published).toHaveLength(1);
    const [kept] = c.on('quarantine');
    expect(kept?.attributes).toMatchObject({
      reason: expect.stringMatching(reason),
      source: 'classifier',
    });
    const raw = Buffer.from(kept!.data).toString();
    const data = (cloudEvent as { data?: { message?: { data?: string } } }).data?.message?.data;
    expect(raw).toBe(data ? Buffer.from(data, 'base64').toString() : JSON.stringify(cloudEvent));
    expect(c.logs.find((l) => l.event === 'event_quarantined')).toMatchObject({
      severity: 'ERROR',
      reason: expect.stringMatching(reason),
    });
  });

  it('invalid JSON: a fixed reason; the data’s words are in no log line or attribute', async () => {
    const c = classifier();
    await expect(c.deliver('{"text": secret42}', { traceId: TRACE })).resolves.toEqual({
      status: 'quarantined',
      reason: 'invalid JSON (SyntaxError)',
    });
    const [kept] = c.on('quarantine');
    expect(kept?.attributes).toMatchObject({
      reason: 'invalid JSON (SyntaxError)',
      traceId: TRACE,
    });
    expect(JSON.stringify(kept?.attributes)).not.toContain('secret42');
    expect(c.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(c.logs)).not.toContain('secret42');
  });

  it('throws when the quarantine itself cannot be written', async () => {
    const c = classifier();
    c.bus.failNextPublish('quarantine');
    await expect(c.handler({ not: 'an event' })).rejects.toMatchObject({ retryable: true });
  });

  it.each([
    ['UNAVAILABLE', 14],
    ['DEADLINE_EXCEEDED', 4],
    ['ABORTED', 10],
    ['RESOURCE_EXHAUSTED', 8],
    ['INTERNAL', 13],
  ])('a Firestore %s is thrown, so Pub/Sub redelivers', async (status, code) => {
    const failing = new InMemoryConversationStore();
    failing.applyInbound = () =>
      Promise.reject(Object.assign(new Error(`${code} ${status}: try later`), { code }));
    const c = classifier({ store: failing });
    await expect(c.deliver(body('text'))).rejects.toMatchObject({ code });
    expect(c.bus.published).toEqual([]);
    expect(c.logs.find((l) => l.event === 'classifier_retry')).toMatchObject({
      severity: 'WARNING',
      'logging.googleapis.com/trace': `projects/test-project/traces/${TRACE}`,
    });
  });

  it('a stored conversation that can never be read is quarantined', async () => {
    const broken = new InMemoryConversationStore();
    broken.applyInbound = () => Promise.reject(new PermanentFailure('stored document is invalid'));
    const c = classifier({ store: broken });
    await expect(c.deliver(body('text'))).resolves.toEqual({
      status: 'quarantined',
      reason: 'stored document is invalid',
    });
    expect(c.on('quarantine')[0]?.attributes).toMatchObject({
      reason: 'stored document is invalid',
      dedupeKey: expect.stringMatching(/^r:/),
      traceId: TRACE,
    });
  });
});

describe('classifier: logs', () => {
  it('labels every line with the conversation and carries the webhook’s trace', async () => {
    const c = classifier();
    const webhook = body('text');
    await c.deliver(webhook);
    const routed = c.logs.find((l) => l.event === 'event_routed');
    expect(routed).toMatchObject({
      severity: 'INFO',
      kind: 'text',
      route: 'automation',
      reason: 'default',
      state: 'bot',
      previousState: null,
      'logging.googleapis.com/trace': `projects/test-project/traces/${TRACE}`,
      'logging.googleapis.com/labels': {
        component: 'classifier',
        conversationId: webhook.conversationId,
        brandId: 'velo-cafe',
        agentId: 'velo-cafe-agent',
        requestId: webhook.requestId,
        dedupeKey: `r:${String(webhook.requestId)}`,
      },
    });
  });

  it('never writes message text or names unless content logging is on', async () => {
    const quiet = classifier();
    await quiet.deliver(body('text'));
    await quiet.deliver(
      body('survey', { patch: { surveyResponse: { feedback: 'Lovely staff' } } }),
    );
    const written = JSON.stringify(quiet.logs);
    expect(written).not.toContain('open on Sunday');
    expect(written).not.toContain('Jane Doe');
    expect(written).not.toContain('Lovely staff');

    const verbose = classifier({ logContent: true });
    await verbose.deliver(body('text'));
    expect(JSON.stringify(verbose.logs)).toContain('open on Sunday');
  });

  it('derives one trace per event when the message carries none', async () => {
    const c = classifier();
    const webhook = body('text');
    await c.deliver(webhook, { traceId: 'not-a-trace' });
    await c.deliver(webhook, { traceId: '' });
    const traces = c.bus.published.map((m) => m.attributes.traceId);
    expect(traces[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(traces[1]).toBe(traces[0]);
  });
});
