import { InMemoryEventBus } from '../../functions/adapters/in-memory-event-bus';
import type { Topic } from '../../functions/ports/event-bus';
import { eventBusContract, type ReceivedMessage } from './event-bus.contract';

describe('InMemoryEventBus: the event bus contract', () => {
  eventBusContract(async () => {
    const bus = new InMemoryEventBus();
    const seen = new Map<Topic, ReceivedMessage[]>();
    return {
      bus,
      watch: async (topic) => {
        seen.set(topic, []);
        bus.subscribe(topic, async (m) => {
          seen.get(topic)?.push({
            data: Buffer.from(m.data).toString(m.attributes.reason ? 'latin1' : 'utf8'),
            attributes: m.attributes,
            ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
          });
          await Promise.resolve();
        });
        await Promise.resolve();
      },
      received: async (topic, count) => {
        await bus.drain();
        const messages = seen.get(topic) ?? [];
        if (messages.length < count)
          throw new Error(`expected ${count} on ${topic}, got ${messages.length}`);
        return messages;
      },
      // In one process nothing hangs: the bus refuses the publish, as a timed-out client would.
      cutOff: (topic) => {
        bus.failNextPublish(topic, new Error('4 DEADLINE_EXCEEDED: no answer in time'));
        return () => undefined;
      },
      settle: () => bus.drain(),
      close: () => bus.drain(),
    };
  });
});

describe('InMemoryEventBus: redelivery like a subscription with a dead-letter policy', () => {
  it('redelivers a failing message before later ones of its key, then dead-letters it', async () => {
    const bus = new InMemoryEventBus({ maxDeliveryAttempts: 3 });
    const attempts: string[] = [];
    bus.subscribe('inbound', async (m) => {
      const data = Buffer.from(m.data).toString();
      attempts.push(`${data}#${m.deliveryAttempt}`);
      await Promise.resolve();
      if (data === 'poison') throw new Error('cannot process');
      if (data === 'flaky' && m.deliveryAttempt < 2) throw new Error('transient');
    });
    await bus.publish('inbound', { data: 'flaky', attributes: {}, orderingKey: 'k' });
    await bus.publish('inbound', { data: 'poison', attributes: {}, orderingKey: 'k' });
    await bus.publish('inbound', { data: 'after', attributes: {}, orderingKey: 'k' });
    await bus.drain();
    expect(attempts).toEqual(['flaky#1', 'flaky#2', 'poison#1', 'poison#2', 'poison#3', 'after#1']);
    expect(bus.deadLettered.map((d) => Buffer.from(d.message.data).toString())).toEqual(['poison']);
  });

  it('fails a publish on request, as an unavailable bus would', async () => {
    const bus = new InMemoryEventBus();
    bus.failNextPublish('inbound');
    await expect(bus.publish('inbound', { data: 'x', attributes: {} })).rejects.toMatchObject({
      name: 'PublishFailedError',
      retryable: true,
    });
    await expect(bus.publish('inbound', { data: 'x', attributes: {} })).resolves.toBe('1');
  });
});
