import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import type { Server } from 'node:http';
import request from 'supertest';
import { PubSubEventBus } from '../../functions/adapters/pubsub-event-bus';
import { TOPICS, type Topic } from '../../functions/ports/event-bus';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { CONVERSATION, fixtures, type FixtureName } from '../fixtures/webhook-events';
import { signed, webhookServer } from '../support/webhook-server';
import { startBlackholeProxy, type BlackholeProxy } from '../adapters/blackhole-proxy';

const topicIds = Object.fromEntries(TOPICS.map((t) => [t, t])) as Record<Topic, string>;

describeWithEmulators('webhook → Pub/Sub emulator', () => {
  let admin: PubSub;
  let bus: PubSubEventBus;
  let server: Server;
  let inbound: Subscription;
  let quarantine: Subscription;
  const received: Record<'inbound' | 'quarantine', Message[]> = { inbound: [], quarantine: [] };

  beforeAll(async () => {
    const projectId = uniqueProjectId('webhook');
    admin = new PubSub({ projectId });
    await Promise.all(TOPICS.map((t) => admin.createTopic(t)));
    [inbound] = await admin
      .topic('inbound')
      .createSubscription('inbound-probe', { enableMessageOrdering: true });
    [quarantine] = await admin.topic('quarantine').createSubscription('quarantine-probe');
    for (const [name, sub] of [
      ['inbound', inbound],
      ['quarantine', quarantine],
    ] as const) {
      sub.on('message', (m: Message) => {
        received[name].push(m);
        m.ack();
      });
    }
    bus = new PubSubEventBus(new PubSub({ projectId }), { topicIds });
    server = webhookServer(bus);
  });

  afterAll(async () => {
    await inbound.close();
    await quarantine.close();
    await bus.close();
    await admin.close();
  });

  const waitFor = async (name: 'inbound' | 'quarantine', count: number) => {
    const deadline = Date.now() + 20_000;
    while (received[name].length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return received[name];
  };

  it('every kind of signed event reaches the inbound topic with its attributes and ordering key', async () => {
    const names = Object.keys(fixtures) as FixtureName[];
    for (const name of names) {
      const body = JSON.stringify(fixtures[name]);
      const res = await request(server).post('/').set(signed(body)).send(body);
      expect(res.status).toBe(200);
    }
    const messages = await waitFor('inbound', names.length);
    expect(messages).toHaveLength(names.length);
    // Ordering key = conversation: they arrive in the order Google delivered them.
    expect(messages.map((m) => m.data.toString())).toEqual(
      names.map((n) => JSON.stringify(fixtures[n])),
    );
    for (const m of messages) {
      expect(m.orderingKey).toBe(CONVERSATION);
      expect(m.attributes).toMatchObject({
        brand: 'velo-cafe',
        agent: 'brands/velo-cafe/agents/velo-cafe-agent',
        conversation: CONVERSATION,
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
    }
    expect(messages.map((m) => m.attributes.kind)).toEqual([
      'text',
      'image',
      'receipts',
      'receipts',
      'typing',
      'liveAgentRequest',
      'suggestion',
      'survey',
      'authentication',
      'text',
      'unknown',
    ]);
  });

  it('an authentic malformed body lands in the quarantine topic with its raw bytes', async () => {
    const raw = '{"conversationId": "c-9", "agent": ';
    const res = await request(server).post('/').set(signed(raw)).send(raw);
    expect(res.status).toBe(200);
    const [kept] = await waitFor('quarantine', 1);
    expect(kept?.data.toString()).toBe(raw);
    expect(kept?.attributes.reason).toMatch(/^invalid JSON/);
  });

  it('an unsigned event is published nowhere', async () => {
    const before = received.inbound.length + received.quarantine.length;
    const body = JSON.stringify(fixtures.text);
    const res = await request(server).post('/').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(401);
    // A signed marker published after it arrives alone: the unsigned one was never published.
    const marker = JSON.stringify({ ...fixtures.typing, requestId: 'marker' });
    await request(server).post('/').set(signed(marker)).send(marker);
    const after = await waitFor('inbound', received.inbound.length + 1);
    expect(after.length + received.quarantine.length).toBe(before + 1);
    expect(after.at(-1)?.attributes.dedupeKey).toBe('r:marker');
  });
});

describeWithEmulators('webhook → Pub/Sub emulator, unreachable', () => {
  const PUBLISH_TIMEOUT_MS = 2_000;
  let admin: PubSub;
  let proxy: BlackholeProxy;
  let bus: PubSubEventBus;
  let server: Server;
  let inbound: Subscription;
  const received: Message[] = [];

  beforeAll(async () => {
    const projectId = uniqueProjectId('webhook-cut');
    admin = new PubSub({ projectId });
    await Promise.all(TOPICS.map((t) => admin.createTopic(t)));
    [inbound] = await admin
      .topic('inbound')
      .createSubscription('inbound-probe', { enableMessageOrdering: true });
    inbound.on('message', (m: Message) => {
      received.push(m);
      m.ack();
    });
    const emulator = process.env.PUBSUB_EMULATOR_HOST;
    if (!emulator) throw new Error('PUBSUB_EMULATOR_HOST is not set');
    proxy = await startBlackholeProxy(emulator);
    bus = new PubSubEventBus(new PubSub({ projectId, apiEndpoint: proxy.endpoint }), {
      topicIds,
      publishTimeoutMs: PUBLISH_TIMEOUT_MS,
    });
    server = webhookServer(bus);
  });

  afterAll(async () => {
    proxy.restore();
    await inbound.close();
    await bus.close();
    await admin.close();
    await proxy.close();
  });

  it('answers 503 when Pub/Sub does not acknowledge in time; the redelivery lands once, in order', async () => {
    const post = (body: string) => request(server).post('/').set(signed(body)).send(body);
    const first = JSON.stringify(fixtures.text);
    const second = JSON.stringify(fixtures.image);
    expect((await post(first)).status).toBe(200);

    proxy.cutOff();
    const refused = await post(second);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('10');
    proxy.restore();

    // Google redelivers the event it got a 503 for.
    expect((await post(second)).status).toBe(200);
    const deadline = Date.now() + 20_000;
    while (received.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // Time for a publish the client were still retrying behind the 503 to land: none does.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(received.map((m) => m.data.toString())).toEqual([first, second]);
    expect(received.map((m) => m.orderingKey)).toEqual([CONVERSATION, CONVERSATION]);
  }, 30_000);
});
