import { Firestore } from '@google-cloud/firestore';
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FirestoreBrandDirectory } from '../../functions/adapters/firestore-brand-directory';
import { FirestoreConversationStore } from '../../functions/adapters/firestore-conversation-store';
import { PubSubEventBus } from '../../functions/adapters/pubsub-event-bus';
import { makeClassifierHandler } from '../../functions/classifier/handler';
import { parseRoutedEvent } from '../../functions/core/routed-event';
import { sha256Digest } from '../../functions/platform/digest';
import { TOPICS, type Topic } from '../../functions/ports/event-bus';
import type { FixtureName } from '../fixtures/webhook-events';
import { countingFirestore } from '../support/counting-firestore';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { inboundEvent, webhookBody, type BodyOptions } from '../support/inbound-events';
import { LogCapture } from '../support/log-capture';

const topicIds = Object.fromEntries(TOPICS.map((t) => [t, t])) as Record<Topic, string>;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/**
 * The classifier as deployed: a CloudEvent function under functions-framework on a real port,
 * pushed to by an ordered push subscription on `inbound` (the emulator's raw push, which the
 * framework turns into a CloudEvent), with Firestore and Pub/Sub on the emulators.
 */
describeWithEmulators('classifier end to end on the emulators', () => {
  const projectId = uniqueProjectId('classifier');
  let admin: PubSub;
  let db: Firestore;
  let counter: ReturnType<typeof countingFirestore>;
  let store: FirestoreConversationStore;
  let bus: PubSubEventBus;
  let server: Server;
  const subscriptions: Subscription[] = [];
  const received: Record<'automation' | 'live-agent' | 'quarantine', Message[]> = {
    automation: [],
    'live-agent': [],
    quarantine: [],
  };
  const capture = new LogCapture();
  const logs = capture.lines;

  beforeAll(async () => {
    admin = new PubSub({ projectId });
    await Promise.all(TOPICS.map((t) => admin.createTopic(t)));
    db = new Firestore({ projectId });
    counter = countingFirestore(db);
    // As deployed: remembering conversations (the first text is still a transaction, counted).
    store = new FirestoreConversationStore(counter.firestore, { rememberConversations: 100 });
    bus = new PubSubEventBus(new PubSub({ projectId }), { topicIds });

    const handler = makeClassifierHandler({
      store,
      brands: new FirestoreBrandDirectory(db),
      bus,
      log: capture.logger('classifier', { project: projectId }),
      now: () => new Date(),
      digest: sha256Digest,
    });
    const name = `classifier-${randomBytes(4).toString('hex')}`;
    ff.cloudEvent(name, async (cloudEvent: ff.CloudEvent<unknown>) => {
      await handler(cloudEvent);
    });
    server = getTestServer(name);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const [push] = await admin.topic('inbound').createSubscription('inbound-classifier', {
      pushConfig: { pushEndpoint: `http://127.0.0.1:${port}/projects/${projectId}/topics/inbound` },
      enableMessageOrdering: true,
      ackDeadlineSeconds: 60,
    });
    subscriptions.push(push);
    for (const topic of ['automation', 'live-agent', 'quarantine'] as const) {
      const [sub] = await admin.topic(topic).createSubscription(`${topic}-probe`);
      sub.on('message', (m: Message) => {
        received[topic].push(m);
        m.ack();
      });
      subscriptions.push(sub);
    }
  });

  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.close()));
    await new Promise((resolve) => server.close(resolve));
    await bus.close();
    await admin.close();
    await db.terminate();
  });

  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

  /** Publishes a webhook body to `inbound` the way the webhook does. */
  async function publish(
    name: FixtureName,
    options: BodyOptions & { ordered?: boolean } = {},
  ): Promise<ReturnType<typeof inboundEvent>> {
    const body = webhookBody(name, options);
    const event = inboundEvent(body);
    await bus.publish('inbound', {
      data: JSON.stringify(body),
      attributes: {
        brand: event.brandId,
        agent: event.agent,
        conversation: event.conversationId,
        kind: event.kind,
        dedupeKey: event.dedupeKey,
        traceId: TRACE,
        receivedAt: new Date().toISOString(),
      },
      ...(options.ordered === false ? {} : { orderingKey: event.conversationId }),
    });
    return event;
  }

  /** Polls until `check` passes or the deadline, then runs it once more to report. */
  async function eventually(check: () => void | Promise<void>, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await check();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  const routedFor = (topic: 'automation' | 'live-agent', conversationId: string) =>
    received[topic].filter((m) => m.attributes.conversation === conversationId);

  it('routes each kind and keeps the conversation in Firestore', async () => {
    const id = unique('conv');
    counter.take();
    const text = await publish('text', { conversationId: id });
    await eventually(() => expect(routedFor('automation', id)).toHaveLength(1));
    expect(counter.take()).toBe(2); // conversation + log entry: the whole cost of a text
    await publish('image', { conversationId: id });
    await eventually(() => expect(routedFor('automation', id)).toHaveLength(2));
    // The same two on the remembered path (a batch conditioned on the conversation's version).
    expect(counter.take()).toBe(2);
    await publish('typing', { conversationId: id });
    await publish('liveAgentRequest', { conversationId: id });
    const queuedText = await publish('text', {
      conversationId: id,
      requestId: unique('req'),
      patch: {
        message: { messageId: 'm-late', text: 'anyone?', createTime: '2026-11-25T10:30:00Z' },
      },
    });
    await eventually(() => {
      expect(routedFor('automation', id)).toHaveLength(2);
      expect(routedFor('live-agent', id)).toHaveLength(2);
    });

    const [first] = routedFor('automation', id);
    expect(first?.orderingKey).toBe(id);
    expect(first?.attributes).toEqual({
      brand: 'velo-cafe',
      agent: 'brands/velo-cafe/agents/velo-cafe-agent',
      conversation: id,
      kind: 'text',
      dedupeKey: text.dedupeKey,
      traceId: TRACE,
      route: 'automation',
      reason: 'default',
    });
    const routed = parseRoutedEvent(JSON.parse(first!.data.toString()), sha256Digest);
    expect(routed).toMatchObject({ ok: true, event: text });
    expect(routedFor('live-agent', id).map((m) => m.attributes.reason)).toEqual([
      'live-agent-requested',
      'queued',
    ]);
    expect(routedFor('live-agent', id)[1]?.attributes.dedupeKey).toBe(queuedText.dedupeKey);

    expect(await store.getConversation(id)).toMatchObject({
      state: 'queued',
      brandId: 'velo-cafe',
      locale: 'en',
      origin: { entryPoint: 'PLACESHEET' },
      version: 4, // text, image, live agent request, text: typing changed nothing
    });
    expect((await store.getMessages(id, 10)).map((m) => m.kind)).toEqual([
      'text',
      'image',
      'liveAgentRequest',
      'text',
    ]);
    // The processed markers, not log entries, of typing: nothing else was written for it.
    const markers = await db.collection(`conversations/${id}/processed`).get();
    expect(markers.size).toBe(1);
  });

  it('one event delivered five times, some concurrently, has one effect', async () => {
    const id = unique('dup');
    const options = { conversationId: id };
    await Promise.all([
      publish('liveAgentRequest', options),
      publish('liveAgentRequest', { ...options, ordered: false }),
      publish('liveAgentRequest', { ...options, ordered: false }),
      publish('liveAgentRequest', { ...options, ordered: false }),
    ]);
    await publish('liveAgentRequest', options);
    await eventually(() => expect(routedFor('live-agent', id).length).toBeGreaterThanOrEqual(5));

    const routed = routedFor('live-agent', id);
    // Republished decisions are allowed, and identical but for `createdConversation`, which
    // only the delivery that applied the event (exactly one) can tell.
    const data = routed.map((m) => JSON.parse(m.data.toString()) as Record<string, unknown>);
    expect(data.filter((d) => d.createdConversation === true)).toHaveLength(1);
    expect(data.filter((d) => d.createdConversation === false)).toHaveLength(0);
    const recorded = data.map(({ createdConversation: _created, ...rest }) => JSON.stringify(rest));
    expect(new Set(recorded).size).toBe(1);
    expect(new Set(routed.map((m) => JSON.stringify(m.attributes))).size).toBe(1);
    expect(await store.getConversation(id)).toMatchObject({ state: 'queued', version: 1 });
    expect(await store.getMessages(id, 10)).toHaveLength(1);
  }, 90_000);

  it('out of order: a receipt before the send it names, and two messages swapped', async () => {
    const id = unique('order');
    await publish('readReceipts', { conversationId: id });
    await eventually(async () =>
      expect((await store.getMessages(id, 10)).map((m) => m.key)).toEqual([
        'bot-reply-1',
        'bot-reply-2',
      ]),
    );
    // The sender records its send afterwards: READ stays.
    await store.recordOutbound(id, {
      id: 'bot-reply-1',
      kind: 'message',
      status: 'SENT',
      at: new Date('2026-11-25T10:16:30.000Z'),
      text: 'We open at 9.',
      representativeType: 'BOT',
      causedBy: 'r:earlier',
    });

    const message = (n: number, time: string, locale: string, placeId: string) =>
      publish('text', {
        conversationId: id,
        requestId: `${id}-m${n}`,
        patch: {
          message: { messageId: `m${n}`, text: `#${n}`, createTime: time },
          context: { entryPoint: 'MAPS', placeId, resolvedLocale: locale },
        },
      });
    await message(2, '2026-11-25T10:20:00Z', 'fr', 'place-2');
    await message(1, '2026-11-25T10:18:00Z', 'en', 'place-1');
    await eventually(() => expect(routedFor('automation', id)).toHaveLength(2));

    expect(await store.getConversation(id)).toMatchObject({
      lastUserMessageAt: '2026-11-25T10:20:00.000Z',
      locale: 'fr',
      origin: { entryPoint: 'MAPS', placeId: 'place-2', resolvedLocale: 'fr' },
      state: 'bot',
      version: 1, // the older message changed nothing: only its log entry was written
    });
    const log = await store.getMessages(id, 10);
    expect(log.map((m) => [m.key, m.direction === 'outbound' ? m.status : m.text])).toEqual([
      ['bot-reply-1', 'READ'],
      ['bot-reply-2', 'READ'],
      [`r:${id}-m1`, '#1'],
      [`r:${id}-m2`, '#2'],
    ]);
    expect(log[0]).toMatchObject({ text: 'We open at 9.', representativeType: 'BOT' });
  });

  it('uses the brand’s miss threshold from Firestore', async () => {
    const brand = unique('brand');
    await db.doc(`brands/${brand}`).set({ routing: { missThreshold: 1 } });
    const id = unique('misses');
    const agent = `brands/${brand}/agents/agent-1`;
    const first = await publish('text', { conversationId: id, patch: { agent } });
    await eventually(() => expect(routedFor('automation', id)).toHaveLength(1));
    await store.recordBotOutcome(id, first.dedupeKey, false);
    await publish('text', { conversationId: id, requestId: unique('req'), patch: { agent } });
    await eventually(() => expect(routedFor('live-agent', id)).toHaveLength(1));
    expect(routedFor('live-agent', id)[0]?.attributes.reason).toBe('bot-missed-1');
    expect(await store.getConversation(id)).toMatchObject({ state: 'queued', botMisses: 0 });
  });

  it('quarantines what can never be processed and acknowledges it', async () => {
    const raw = '{"conversationId": "x", "agent": ';
    await bus.publish('inbound', { data: raw, attributes: { traceId: TRACE } });
    await eventually(() => expect(received.quarantine).toHaveLength(1));
    const [kept] = received.quarantine;
    expect(kept?.data.toString()).toBe(raw);
    expect(kept?.attributes).toMatchObject({ source: 'classifier', traceId: TRACE });
    expect(kept?.attributes.reason).toMatch(/^invalid JSON/);
    expect(
      logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === 'event_quarantined'),
    ).toMatchObject({ severity: 'ERROR' });
  });
});
