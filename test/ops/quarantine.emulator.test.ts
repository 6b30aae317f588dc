import { PubSub, type Message } from '@google-cloud/pubsub';
import { randomBytes } from 'node:crypto';
import { PubSubEventBus } from '../../functions/adapters/pubsub-event-bus';
import { LogCapture } from '../support/log-capture';
import { makeQuarantine } from '../../functions/platform/quarantine';
import { TOPICS, type Topic } from '../../functions/ports/event-bus';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { inboundEvent, webhookBody } from '../support/inbound-events';
import { cli, emulatorEnv, jsonOf } from './cli-harness';

const topicIds = Object.fromEntries(TOPICS.map((t) => [t, t])) as Record<Topic, string>;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

interface Held {
  messageId: string;
  attributes: Record<string, string>;
}

describeWithEmulators('bm-ops quarantine on the Pub/Sub emulator', () => {
  const projectId = uniqueProjectId('ops-quar');
  const env = emulatorEnv(projectId);
  let admin: PubSub;
  let bus: PubSubEventBus;
  const conversationId = `q-${randomBytes(4).toString('hex')}`;
  const valid = webhookBody('text', { conversationId });
  const list = async () => jsonOf<Held[]>(await cli(['quarantine', 'list', '--json'], env));

  beforeAll(async () => {
    admin = new PubSub({ projectId });
    for (const t of TOPICS) await admin.createTopic(t);
    await admin.topic('quarantine').createSubscription('quarantine-keep');
    await admin.topic('inbound').createSubscription('inbound-seen');
    bus = new PubSubEventBus(new PubSub({ projectId }), { topicIds });
    const quarantine = makeQuarantine({
      bus,
      log: new LogCapture().logger('webhook', { project: projectId }),
      source: 'webhook',
    });
    // What an older parser refused, and what no parser will take.
    await quarantine(Buffer.from(JSON.stringify(valid)), 'refused by an older parser', {
      attributes: {
        traceId: TRACE,
        receivedAt: '2026-11-25T10:15:31.000Z',
        conversation: conversationId,
      },
    });
    await quarantine(
      Buffer.from('{"conversationId": "x",'),
      'invalid JSON (SyntaxError at position 23)',
    );
    await quarantine(
      Buffer.from(JSON.stringify({ conversationId: 'CONVERSATION_ID' })),
      'schema mismatch',
    );
  });
  afterAll(async () => {
    await bus.close();
    await admin.close();
  });

  it('list and show, with each reason; the parser’s verdict today', async () => {
    const held = await list();
    expect(held.map((m) => m.attributes.reason)).toEqual([
      'refused by an older parser',
      'invalid JSON (SyntaxError at position 23)',
      'schema mismatch',
    ]);
    const table = await cli(['quarantine', 'list'], env);
    expect(table.stdout).toMatch(/webhook\s+refused by an older parser/);
    const shown = await cli(['quarantine', 'show', held[0]?.messageId ?? ''], env);
    expect(shown.stdout).toContain("today's parser: parses now");
    const refused = await cli(['quarantine', 'show', held[1]?.messageId ?? '', '--json'], env);
    expect(jsonOf(refused)).toMatchObject({
      parsesNow: false,
      reasonNow: expect.stringContaining('invalid JSON'),
    });
  });

  it('replay: only what parses now goes to inbound, as the webhook publishes it; the rest stays', async () => {
    const dry = await cli(['quarantine', 'replay', '--dry-run'], env);
    expect(dry.stdout).toContain('1 of 3 parse now');
    expect(await list()).toHaveLength(3);

    const seen: Message[] = [];
    const subscription = admin.subscription('inbound-seen');
    subscription.on('message', (m: Message) => {
      seen.push(m);
      m.ack();
    });
    const run = await cli(['quarantine', 'replay', '--yes', '--json'], env);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toEqual([
      expect.objectContaining({ parsesNow: true, replayed: true, kind: 'text' }),
      expect.objectContaining({
        parsesNow: false,
        replayed: false,
        reason: expect.stringContaining('invalid JSON'),
      }),
      expect.objectContaining({ parsesNow: false, replayed: false }),
    ]);
    const until = Date.now() + 20_000;
    while (seen.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    await subscription.close();
    const event = inboundEvent(valid);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.orderingKey).toBe(conversationId);
    expect(seen[0]?.attributes).toEqual({
      brand: event.brandId,
      agent: event.agent,
      conversation: conversationId,
      kind: 'text',
      dedupeKey: event.dedupeKey,
      traceId: TRACE,
      receivedAt: '2026-11-25T10:15:31.000Z',
    });
    expect(JSON.parse(seen[0]?.data.toString() ?? '')).toEqual(valid);
    expect((await list()).map((m) => m.attributes.reason)).toEqual([
      'invalid JSON (SyntaxError at position 23)',
      'schema mismatch',
    ]);
  }, 60_000);
});
