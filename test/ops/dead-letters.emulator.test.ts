import { Firestore } from '@google-cloud/firestore';
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { PubSub } from '@google-cloud/pubsub';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FirestoreBrandDirectory } from '../../functions/adapters/firestore-brand-directory';
import { FirestoreConversationStore } from '../../functions/adapters/firestore-conversation-store';
import { PubSubEventBus } from '../../functions/adapters/pubsub-event-bus';
import { makeClassifierHandler } from '../../functions/classifier/handler';
import { sha256Digest } from '../../functions/platform/digest';
import { LogCapture } from '../support/log-capture';
import { TOPICS, type Topic } from '../../functions/ports/event-bus';
import { inboundMessage } from '../../functions/webhook/handler';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { inboundEvent, webhookBody } from '../support/inbound-events';
import { cli, emulatorEnv, jsonOf } from './cli-harness';

const topicIds = Object.fromEntries(TOPICS.map((t) => [t, t])) as Record<Topic, string>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value, for what the emulator does in its own time. */
async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  ms = 60_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

interface DeadLetterJson {
  messageId: string;
  sourceTopic: string | null;
  orderingKey: string;
  attributes: Record<string, string>;
  data?: string;
}

/**
 * A dead letter made for real: the classifier's push subscription on `inbound`, with a
 * dead-letter policy of 5 attempts, pushes to an endpoint that always fails; once the endpoint
 * is fixed, `bm-ops dead-letters replay` sends the event back to `inbound` and the classifier
 * applies it. A second replay of the same event changes nothing.
 */
describeWithEmulators('bm-ops dead-letters with a real dead-letter policy', () => {
  const projectId = uniqueProjectId('ops-dead');
  const env = emulatorEnv(projectId);
  const deadLetterTopic = 'inbound-classifier-dead-letter';
  let admin: PubSub;
  let db: Firestore;
  let bus: PubSubEventBus;
  let server: Server;
  let broken = true;
  let failedPushes = 0;
  let handled = 0;

  beforeAll(async () => {
    // functions-framework prints each failed push's error; the failures are the point here.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    admin = new PubSub({ projectId });
    db = new Firestore({ projectId });
    bus = new PubSubEventBus(new PubSub({ projectId }), { topicIds });
    for (const t of [...TOPICS, deadLetterTopic]) await admin.createTopic(t);
    await admin.topic(deadLetterTopic).createSubscription(`${deadLetterTopic}-keep`);
    await admin.topic('automation').createSubscription('automation-seen');

    const handler = makeClassifierHandler({
      store: new FirestoreConversationStore(db),
      brands: new FirestoreBrandDirectory(db),
      bus,
      log: new LogCapture().logger('classifier', { project: projectId }),
      now: () => new Date(),
      digest: sha256Digest,
    });
    const name = `classifier-${randomBytes(4).toString('hex')}`;
    ff.cloudEvent(name, async (cloudEvent: ff.CloudEvent<unknown>) => {
      if (broken) {
        failedPushes += 1;
        throw new Error('the endpoint is broken');
      }
      await handler(cloudEvent);
      handled += 1;
    });
    server = getTestServer(name);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await admin.topic('inbound').createSubscription('inbound-classifier', {
      pushConfig: { pushEndpoint: `http://127.0.0.1:${port}/projects/${projectId}/topics/inbound` },
      // The Pub/Sub emulator never dead-letters from an ordered subscription (measured: five
      // failed pushes, then nothing, for minutes); Google's service does. Unordered here.
      enableMessageOrdering: false,
      ackDeadlineSeconds: 10,
      retryPolicy: { minimumBackoff: { seconds: 0 }, maximumBackoff: { seconds: 1 } },
      deadLetterPolicy: {
        deadLetterTopic: `projects/${projectId}/topics/${deadLetterTopic}`,
        maxDeliveryAttempts: 5,
      },
    });
  }, 60_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await new Promise((resolve) => server.close(resolve));
    await bus.close();
    await admin.close();
    await db.terminate();
  });

  const conversationId = `dead-${randomBytes(4).toString('hex')}`;
  const body = webhookBody('text', { conversationId });
  const raw = Buffer.from(JSON.stringify(body));
  const event = inboundEvent(body);
  const meta = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    receivedAt: '2026-11-25T10:15:31.000Z',
  };
  const list = async () => {
    const run = await cli(['dead-letters', 'list', '--json'], env);
    if (run.code !== 0) throw new Error(`dead-letters list failed: ${run.stderr}`);
    return jsonOf<DeadLetterJson[]>(run);
  };

  it('a push that always fails is dead-lettered after 5 attempts; list and show it', async () => {
    await bus.publish('inbound', inboundMessage(event, raw, meta));
    const [letter] = await eventually(async () => {
      const held = await list();
      return held.length > 0 ? held : undefined;
    }, 'the dead letter');
    expect(failedPushes).toBe(5);
    expect(letter).toMatchObject({
      sourceTopic: 'inbound',
      attributes: expect.objectContaining({
        conversation: conversationId,
        kind: 'text',
        dedupeKey: event.dedupeKey,
        CloudPubSubDeadLetterSourceSubscription: 'inbound-classifier',
      }),
      data: raw.toString(),
    });
    // Listing leaves it held.
    expect((await list()).map((m) => m.messageId)).toEqual([letter?.messageId]);

    const table = await cli(['dead-letters', 'list'], env);
    expect(table.stdout).toMatch(
      new RegExp(`${letter?.messageId}\\s+${deadLetterTopic}-keep\\s+inbound\\s+5\\s+text`),
    );
    const shown = await cli(['dead-letters', 'show', letter?.messageId ?? ''], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('from topic:  inbound');
    expect(shown.stdout).toContain('"text": "Hello, are you open on Sunday?"');
    expect(await cli(['dead-letters', 'show', 'no-such-id'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no dead letter no-such-id'),
    });
    expect(await db.doc(`conversations/${conversationId}`).get()).toHaveProperty('exists', false);
  }, 120_000);

  it('a filter that matches nothing, or a dry run, replays nothing', async () => {
    const none = await cli(
      ['dead-letters', 'replay', '--filter', 'conversation=someone-else', '--yes'],
      env,
    );
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('0 of 1 dead letters match');
    const dry = await cli(
      ['dead-letters', 'replay', '--filter', `conversation=${conversationId}`, '--dry-run'],
      env,
    );
    expect(dry.stdout).toContain('1 of 1 dead letters match');
    expect(dry.stdout).toContain('dry run: nothing replayed');
    expect(await list()).toHaveLength(1);
    expect(await cli(['dead-letters', 'list', '--subscription', 'nope'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        `no dead-letter hold for subscription nope; there are: ${deadLetterTopic}-keep (of inbound-classifier)`,
      ),
    });
  });

  it('once the endpoint is fixed, replay sends it back to inbound and acknowledges it', async () => {
    broken = false;
    const run = await cli(
      [
        'dead-letters',
        'replay',
        '--subscription',
        'inbound-classifier',
        '--filter',
        `conversation=${conversationId}`,
        '--yes',
        '--json',
      ],
      env,
    );
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toEqual([
      expect.objectContaining({
        topic: 'inbound',
        replayed: true,
        newMessageId: expect.any(String),
      }),
    ]);
    const conversation = await eventually(async () => {
      const doc = await db.doc(`conversations/${conversationId}`).get();
      return doc.exists ? doc.data() : undefined;
    }, 'the classifier to apply the replayed event');
    expect(conversation).toMatchObject({ state: 'bot', version: 1 });
    expect(await list()).toEqual([]);
  }, 60_000);

  it('a replay of an event already applied changes nothing', async () => {
    // Pub/Sub may dead-letter the same message more than once: here it is again in the hold.
    await admin.topic(deadLetterTopic).publishMessage({
      data: raw,
      attributes: {
        ...inboundMessage(event, raw, meta).attributes,
        CloudPubSubDeadLetterSourceSubscription: 'inbound-classifier',
      },
      orderingKey: conversationId,
    });
    await eventually(
      async () => ((await list()).length === 1 ? true : undefined),
      'the second dead letter',
    );
    const before = handled;
    const run = await cli(['dead-letters', 'replay', '--yes'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 replayed, 0 kept');
    await eventually(
      async () => (handled > before ? true : undefined),
      'the classifier to see the replay',
    );
    expect((await db.doc(`conversations/${conversationId}`).get()).data()).toMatchObject({
      version: 1,
    });
    const log = await db.collection(`conversations/${conversationId}/messages`).get();
    expect(log.size).toBe(1);
    expect(await list()).toEqual([]);
  }, 60_000);
});
