import { PubSub, type Message } from '@google-cloud/pubsub';
import { PubSubEventBus } from '../../functions/adapters/pubsub-event-bus';
import { TOPICS, type Topic } from '../../functions/ports/event-bus';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { eventBusContract, type ReceivedMessage } from './event-bus.contract';

const topicIds = Object.fromEntries(TOPICS.map((t) => [t, `${t}-topic`])) as Record<Topic, string>;

describeWithEmulators('PubSubEventBus on the Pub/Sub emulator: the event bus contract', () => {
  eventBusContract(async () => {
    const projectId = uniqueProjectId('bus');
    const admin = new PubSub({ projectId });
    await Promise.all(TOPICS.map((t) => admin.createTopic(topicIds[t])));
    const bus = new PubSubEventBus(new PubSub({ projectId }), { topicIds });
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
      close: async () => {
        await Promise.all(subscriptions.map((s) => s.close()));
        await bus.close();
        await admin.close();
      },
    };
  });
});
