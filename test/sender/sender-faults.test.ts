import { toPubSubCloudEvent } from '../../functions/platform/pubsub-cloud-event';
import { seededRandom } from '../../functions/local/bm-api-standin/server';
import {
  outboundId,
  withLastUserMessageAt,
  type OutboundCommand,
} from '../../functions/core/outbound-command';
import { command, startSender, systemClock, type SenderHarness } from '../support/sender-harness';

// A stream of commands for several conversations through a bus that redelivers on failure (as
// an ordered Pub/Sub subscription does), against a stand-in that fails 30 % of API calls with
// 500, 503 or 429. Every message must arrive exactly once, in publish order per conversation.

const CONVERSATIONS = ['conv-f-1', 'conv-f-2', 'conv-f-3', 'conv-f-4', 'conv-f-5'];
const PER_CONVERSATION = 24;

let h: SenderHarness;

afterEach(() => h.close());

it('30 % injected faults: every command lands exactly once, in order per conversation', async () => {
  h = await startSender({
    clock: systemClock,
    standin: { faults: { rate: 0.3, codes: [500, 503, 429] }, random: seededRandom(20261125) },
    bus: { maxDeliveryAttempts: 20 },
  });
  const attempts = new Map<string, number>();
  h.bus.subscribe('outbound', async (m) => {
    attempts.set(m.id, m.deliveryAttempt);
    await h.handler(toPubSubCloudEvent('projects/p/topics/outbound', m));
  });

  // Interleaved publishing, as several conversations' replies would be; a typing event before
  // every third message. The bot's commands carry the customer's last message time (no store
  // read for the window), the others' do not: both paths under the same faults.
  const carrying = new Set(CONVERSATIONS.slice(0, 3));
  const published = new Map<string, string[]>(CONVERSATIONS.map((c) => [c, []]));
  for (let i = 1; i <= PER_CONVERSATION; i++) {
    for (const conv of CONVERSATIONS) {
      const plain: OutboundCommand =
        i % 3 === 0
          ? command.event(conv, `${conv}-e-${i}`)
          : command.message(conv, `${conv}-m-${i}`);
      const cmd = carrying.has(conv)
        ? withLastUserMessageAt(plain, new Date().toISOString())
        : plain;
      published.get(conv)?.push(outboundId(cmd));
      await h.bus.publish('outbound', {
        data: JSON.stringify(cmd),
        attributes: { conversation: conv },
        orderingKey: conv,
      });
    }
  }
  await h.bus.drain();

  const injected = h.requests.filter((r) => r.injected === true).length;
  const total = CONVERSATIONS.length * PER_CONVERSATION;
  expect(h.bus.deadLettered).toHaveLength(0);
  expect(injected).toBeGreaterThan(0);
  expect(h.requests).toHaveLength(total + injected);
  for (const conv of CONVERSATIONS) {
    const { messages, events } = h.accepted(conv);
    const arrived = [
      ...messages.map((m) => ({ id: m.messageId, seq: m.seq })),
      ...events.map((e) => ({ id: e.eventId, seq: e.seq })),
    ]
      .sort((a, b) => a.seq - b.seq)
      .map((x) => x.id);
    expect(arrived).toEqual(published.get(conv));
    expect(new Set(arrived).size).toBe(PER_CONVERSATION);
  }
  // Typing indicators are sent but not logged; every message is logged SENT once.
  const sent = h.outboundLog.records.filter((r) => r.status === 'SENT');
  const messages = CONVERSATIONS.flatMap((c) => published.get(c) ?? []).filter((id) =>
    id.includes('-m-'),
  );
  expect(sent.map((r) => r.id).sort()).toEqual(messages.sort());
  expect(h.outboundLog.windowReads.filter((c) => carrying.has(c))).toEqual([]);
  const redelivered = [...attempts.values()].filter((a) => a > 1).length;
  expect(redelivered).toBeGreaterThan(0);
  process.stdout.write(
    `sender-faults: ${total} commands, ${injected} injected faults, ${redelivered} commands redelivered, max attempts ${Math.max(...attempts.values())}, all delivered once in order\n`,
  );
});
