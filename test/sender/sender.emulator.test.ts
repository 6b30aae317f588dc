import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { Firestore } from '@google-cloud/firestore';
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { BusinessMessagesClient } from '../../functions/adapters/business-messages-client';
import { FirestoreConversationStore } from '../../functions/adapters/firestore-conversation-store';
import { PubSubEventBus } from '../../functions/adapters/pubsub-event-bus';
import { outboundId, type OutboundCommand } from '../../functions/core/outbound-command';
import { createStandin, type Standin } from '../../functions/local/bm-api-standin/server';
import type { ConversationRecord } from '../../functions/local/bm-api-standin/store';
import { TOPICS, type Topic } from '../../functions/ports/event-bus';
import { makeSenderHandler } from '../../functions/sender/handler';
import { ConversationRateLimiter } from '../../functions/sender/rate-limiter';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { LogCapture } from '../support/log-capture';
import { RecordingOutboundLog } from '../support/outbound-log';
import { TRACE, command, systemClock } from '../support/sender-harness';

// The sender as deployed: a CloudEvent function under functions-framework, listening on a real
// port, fed by a Pub/Sub emulator push subscription with message ordering, sending to the
// stand-in over HTTP and quarantining through the real Pub/Sub event bus.

const topicIds = Object.fromEntries(TOPICS.map((t) => [t, t])) as Record<Topic, string>;
const CONVERSATIONS = ['conv-e-1', 'conv-e-2'];
const PER_CONVERSATION = 12;

describeWithEmulators('sender under functions-framework, pushed to by the Pub/Sub emulator', () => {
  let projectId: string;
  let admin: PubSub;
  let bus: PubSubEventBus;
  let standin: Standin;
  let rootUrl: string;
  let server: Server;
  let push: Subscription;
  let quarantineProbe: Subscription;
  let outboundLog: RecordingOutboundLog;
  let firstQuarantined: Promise<Message>;

  beforeAll(async () => {
    projectId = uniqueProjectId('sender');
    admin = new PubSub({ projectId });
    await Promise.all(TOPICS.map((t) => admin.createTopic(t)));
    [quarantineProbe] = await admin.topic('quarantine').createSubscription('quarantine-probe');
    firstQuarantined = new Promise((resolve) => {
      quarantineProbe.on('message', (m: Message) => {
        m.ack();
        resolve(m);
      });
    });

    standin = createStandin();
    ({ url: rootUrl } = await standin.listen(0, '127.0.0.1'));
    bus = new PubSubEventBus(new PubSub({ projectId }), { topicIds });
    outboundLog = new RecordingOutboundLog();
    const handler = makeSenderHandler({
      api: new BusinessMessagesClient({ rootUrl, auth: 'none', timeoutMs: 5_000 }),
      outboundLog,
      bus,
      log: new LogCapture().logger('sender', { project: projectId }),
      now: systemClock.now,
      limiter: new ConversationRateLimiter({
        limit: 60,
        windowMs: 60_000,
        maxWaitMs: 5_000,
        ...systemClock,
      }),
    });
    const name = `sender-${randomBytes(4).toString('hex')}`;
    ff.cloudEvent(name, async (cloudEvent: unknown) => {
      await handler(cloudEvent);
    });
    server = getTestServer(name);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    [push] = await admin.topic('outbound').createSubscription('sender-push', {
      enableMessageOrdering: true,
      pushConfig: {
        pushEndpoint: `http://127.0.0.1:${port}/projects/${projectId}/topics/outbound`,
      },
    });
  });

  afterAll(async () => {
    await push?.delete();
    await quarantineProbe?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await standin?.close();
    await bus?.close();
    await admin?.close();
  });

  async function inspect(conversationId: string, waitFor: number): Promise<ConversationRecord> {
    const url = new URL(`_inspect/conversations/${conversationId}`, rootUrl);
    url.searchParams.set('waitFor', String(waitFor));
    url.searchParams.set('timeoutMs', '30000');
    const res = await fetch(url);
    return (await res.json()) as ConversationRecord;
  }

  it('published commands reach the API once each, in publish order per conversation', async () => {
    const publisher = admin.topic('outbound', { messageOrdering: true });
    const published = new Map<string, string[]>(CONVERSATIONS.map((c) => [c, []]));
    for (let i = 1; i <= PER_CONVERSATION; i++) {
      for (const conv of CONVERSATIONS) {
        const cmd: OutboundCommand =
          i === 1
            ? command.event(conv, `${conv}-joined`, 'REPRESENTATIVE_JOINED', 'HUMAN')
            : command.message(conv, `${conv}-m-${i}`, `reply ${i}`, 'HUMAN');
        published.get(conv)?.push(outboundId(cmd));
        await publisher.publishMessage({
          data: Buffer.from(JSON.stringify(cmd)),
          attributes: { traceId: TRACE, conversation: conv },
          orderingKey: conv,
        });
      }
    }

    // Each command is recorded SENT after the API accepted it: wait for both.
    await outboundLog.waitForRecords(CONVERSATIONS.length * PER_CONVERSATION);
    for (const conv of CONVERSATIONS) {
      const record = await inspect(conv, PER_CONVERSATION);
      const arrived = [
        ...record.messages.map((m) => ({ id: m.messageId, seq: m.seq })),
        ...record.events.map((e) => ({ id: e.eventId, seq: e.seq })),
      ]
        .sort((a, b) => a.seq - b.seq)
        .map((x) => x.id);
      expect(arrived).toEqual(published.get(conv));
      for (const id of published.get(conv) ?? []) {
        await expect(outboundLog.entry(conv, id)).resolves.toMatchObject({ status: 'SENT' });
      }
    }
  }, 60_000);

  it('a malformed command is published raw to quarantine and acknowledged', async () => {
    const raw = '{"type":"message","conversationId":"conv-e-q"';
    await admin.topic('outbound', { messageOrdering: true }).publishMessage({
      data: Buffer.from(raw),
      attributes: { traceId: TRACE, conversation: 'conv-e-q' },
      orderingKey: 'conv-e-q',
    });
    const kept = await firstQuarantined;
    expect(kept.data.toString()).toBe(raw);
    expect(kept.attributes).toMatchObject({
      source: 'sender',
      conversation: 'conv-e-q',
      traceId: TRACE,
      reason: expect.stringMatching(/^invalid JSON/),
    });
  }, 30_000);

  it('the deployed entry (functions/sender/index.ts) sends and records SENT in Firestore', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { GOOGLE_CLOUD_PROJECT: projectId, BM_API_ROOT_URL: rootUrl });
    let db: Firestore | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the entry registers on load
      require('../../functions/sender');
      const cmd = command.message('conv-e-entry', 'conv-e-entry-m-1', 'hi', 'BOT');
      // The body Pub/Sub pushes; functions-framework turns it into the CloudEvent.
      const res = await request(getTestServer('sender'))
        .post(`/projects/${projectId}/topics/outbound`)
        .send({
          message: {
            data: Buffer.from(JSON.stringify(cmd)).toString('base64'),
            attributes: { traceId: TRACE, conversation: cmd.conversationId },
            messageId: 'push-1',
            publishTime: new Date().toISOString(),
          },
          subscription: `projects/${projectId}/subscriptions/sender-push`,
        });
      expect(res.status).toBe(204);
      expect((await inspect(cmd.conversationId, 1)).messages).toHaveLength(1);
      db = new Firestore({ projectId });
      const log = await new FirestoreConversationStore(db).getMessages(cmd.conversationId, 10);
      expect(log).toEqual([
        expect.objectContaining({
          key: 'conv-e-entry-m-1',
          direction: 'outbound',
          status: 'SENT',
          text: 'hi',
        }),
      ]);
    } finally {
      process.env = saved;
      await db?.terminate();
    }
  }, 30_000);
});
