import { PubSub, type Message } from '@google-cloud/pubsub';
import { PubSubEventBus } from '../../functions/adapters/pubsub-event-bus';
import { TOPICS, type Topic } from '../../functions/ports/event-bus';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { startBlackholeProxy } from './blackhole-proxy';
import { eventBusContract, type ReceivedMessage } from './event-bus.contract';

const topicIds = Object.fromEntries(TOPICS.map((t) => [t, `${t}-topic`])) as Record<Topic, string>;

/** Short, so a publish that cannot complete fails quickly here; deployed it is 10 s. */
const PUBLISH_TIMEOUT_MS = 2_000;

const emulatorHost = (): string => {
  const host = process.env.PUBSUB_EMULATOR_HOST;
  if (!host) throw new Error('PUBSUB_EMULATOR_HOST is not set');
  return host;
};

describeWithEmulators('PubSubEventBus on the Pub/Sub emulator: the event bus contract', () => {
  eventBusContract(async () => {
    const projectId = uniqueProjectId('bus');
    const admin = new PubSub({ projectId });
    await Promise.all(TOPICS.map((t) => admin.createTopic(topicIds[t])));
    // The bus reaches the emulator through a proxy that can cut it off; the probe's own client
    // does not, so it keeps seeing what the emulator delivers.
    const proxy = await startBlackholeProxy(emulatorHost());
    const bus = new PubSubEventBus(new PubSub({ projectId, apiEndpoint: proxy.endpoint }), {
      topicIds,
      publishTimeoutMs: PUBLISH_TIMEOUT_MS,
    });
    const seen = new Map<Topic, ReceivedMessage[]>();
    const waiters: (() => void)[] = [];
    const subscriptions: { close(): Promise<void> }[] = [];
    return {
      bus,
      watch: async (topic) => {
        seen.set(topic, []);
        const [subscription] = await admin
          .topic(topicIds[topic])
          .createSubscription(`${topic}-probe`, { enableMessageOrdering: true });
        subscription.on('message', (m: Message) => {
          seen.get(topic)?.push({
            data: m.data.toString(m.attributes.reason ? 'latin1' : 'utf8'),
            attributes: { ...m.attributes },
            ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
          });
          m.ack();
          waiters.splice(0).forEach((wake) => wake());
        });
        subscriptions.push(subscription);
      },
      received: async (topic, count) => {
        const deadline = Date.now() + 20_000;
        while ((seen.get(topic)?.length ?? 0) < count) {
          if (Date.now() > deadline)
            throw new Error(`expected ${count} on ${topic}, got ${seen.get(topic)?.length ?? 0}`);
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 200);
          });
        }
        return seen.get(topic) ?? [];
      },
      cutOff: () => {
        proxy.cutOff();
        return () => proxy.restore();
      },
      // Long enough for a publish the client were still retrying to reach the emulator once the
      // path is back (the client reconnects within about a second) and be delivered.
      settle: () => new Promise((resolve) => setTimeout(resolve, 4_000)),
      close: async () => {
        await Promise.all(subscriptions.map((s) => s.close()));
        await bus.close();
        await admin.close();
        await proxy.close();
      },
    };
  });
});

describeWithEmulators(
  'PubSubEventBus on the Pub/Sub emulator: a publish that cannot complete',
  () => {
    it("is given up by the client's own timeout, retries included, and rejected as retryable", async () => {
      const projectId = uniqueProjectId('bus-timeout');
      const admin = new PubSub({ projectId });
      await admin.createTopic(topicIds.inbound);
      const proxy = await startBlackholeProxy(emulatorHost());
      const bus = new PubSubEventBus(new PubSub({ projectId, apiEndpoint: proxy.endpoint }), {
        topicIds,
        publishTimeoutMs: PUBLISH_TIMEOUT_MS,
      });
      try {
        proxy.cutOff();
        const started = Date.now();
        const failure = await bus
          .publish('inbound', { data: 'x', attributes: {}, orderingKey: 'conv-1' })
          .catch((e: unknown) => e);
        const elapsed = Date.now() - started;
        expect(failure).toMatchObject({ name: 'PublishFailedError', retryable: true });
        // The library's deadline, not a timer of ours beside a call that goes on: gRPC's
        // DEADLINE_EXCEEDED from google-gax once the call's total timeout is spent.
        expect((failure as Error).cause).toMatchObject({ code: 4 });
        expect(elapsed).toBeGreaterThanOrEqual(PUBLISH_TIMEOUT_MS - 100);
        expect(elapsed).toBeLessThan(PUBLISH_TIMEOUT_MS + 2_000);
      } finally {
        proxy.restore();
        await bus.close();
        await admin.close();
        await proxy.close();
      }
    });
  },
);
