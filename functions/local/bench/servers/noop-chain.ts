import * as ff from '@google-cloud/functions-framework';
import { PubSub } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { PubSubEventBus } from '../../../adapters/pubsub-event-bus';
import { parsePubSubCloudEvent } from '../../../platform/pubsub-cloud-event';
import type { Topic } from '../../../ports/event-bus';

/**
 * The end-to-end baseline: the product's hops with nothing done at any of them. Each function
 * runs in its own functions-framework process like the real ones, publishes with the product's
 * Pub/Sub adapter (ordering on, same batching) and the conversation ID as ordering key:
 *
 *   noopWebhook ─▶ [inbound] ─▶ noopRelay ─▶ [automation] ─▶ noopRelay (fan-out) ─▶ [outbound]
 *     ─▶ noopSender ─▶ BM API stand-in
 *
 * The automation stand-in publishes what the bot publishes for one turn (typing started, one
 * message, typing stopped), each awaited in turn like the bot does; the sender stand-in makes
 * the matching API call for each.
 */
const project = process.env.GOOGLE_CLOUD_PROJECT ?? 'bm-pipeline-local';
const topicIds: Record<Topic, string> = {
  inbound: 'inbound',
  automation: 'automation',
  'live-agent': 'live-agent',
  outbound: 'outbound',
  quarantine: 'quarantine',
};
let bus: PubSubEventBus | undefined;
const events = () => (bus ??= new PubSubEventBus(new PubSub({ projectId: project }), { topicIds }));

const isTopic = (value: string | undefined): value is Topic =>
  value !== undefined && Object.hasOwn(topicIds, value);

interface NoopCommand {
  conversationId: string;
  kind: 'message' | 'event';
  id: string;
  eventType?: 'TYPING_STARTED' | 'TYPING_STOPPED';
}

ff.http('noopWebhook', async (req, res) => {
  const conversationId = (req.body as { conversationId?: unknown } | undefined)?.conversationId;
  if (typeof conversationId !== 'string') {
    res.status(400).json({ error: 'no conversationId' });
    return;
  }
  await events().publish('inbound', {
    data: req.rawBody ?? Buffer.alloc(0),
    attributes: { conversation: conversationId },
    orderingKey: conversationId,
  });
  res.status(200).json({ status: 'accepted' });
});

ff.cloudEvent('noopRelay', async (cloudEvent: ff.CloudEvent<unknown>) => {
  const received = parsePubSubCloudEvent(cloudEvent);
  const next = process.env.BENCH_NOOP_NEXT;
  if (!received.ok || !isTopic(next)) throw new Error('not a relayable message');
  const conversationId = received.message.attributes.conversation ?? '';
  const publish = (data: string | Uint8Array) =>
    events().publish(next, {
      data,
      attributes: { conversation: conversationId },
      orderingKey: conversationId,
    });
  if (process.env.BENCH_NOOP_FANOUT !== 'turn') {
    await publish(received.message.data);
    return;
  }
  const commands: NoopCommand[] = [
    { conversationId, kind: 'event', id: randomUUID(), eventType: 'TYPING_STARTED' },
    { conversationId, kind: 'message', id: randomUUID() },
    { conversationId, kind: 'event', id: randomUUID(), eventType: 'TYPING_STOPPED' },
  ];
  for (const command of commands) await publish(JSON.stringify(command));
});

ff.cloudEvent('noopSender', async (cloudEvent: ff.CloudEvent<unknown>) => {
  const received = parsePubSubCloudEvent(cloudEvent);
  if (!received.ok) throw new Error(received.reason);
  const command = JSON.parse(received.message.data.toString('utf8')) as NoopCommand;
  const root = process.env.BM_API_ROOT_URL ?? 'http://127.0.0.1:8082/';
  const conversation = `${root}v1/conversations/${encodeURIComponent(command.conversationId)}`;
  const representative = { representativeType: 'BOT' };
  const res =
    command.kind === 'message'
      ? await fetch(`${conversation}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ messageId: command.id, representative, text: 'ok' }),
        })
      : await fetch(`${conversation}/events?eventId=${encodeURIComponent(command.id)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ eventType: command.eventType, representative }),
        });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`stand-in answered ${res.status}`);
});
