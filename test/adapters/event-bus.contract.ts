import type { EventBus, Topic } from '../../functions/ports/event-bus';

export interface ReceivedMessage {
  data: string;
  attributes: Record<string, string>;
  orderingKey?: string;
}

/** An event bus plus a way to see what subscribers of a topic receive. */
export interface BusProbe {
  bus: EventBus;
  /** Starts collecting deliveries of `topic` (call before publishing). */
  watch(topic: Topic): Promise<void>;
  /** Waits until `count` messages of `topic` have arrived, and returns them in arrival order. */
  received(topic: Topic, count: number): Promise<ReceivedMessage[]>;
  /**
   * Makes the next publish to `topic` unable to complete (the bus unreachable); the returned
   * function makes the bus reachable again.
   */
  cutOff(topic: Topic): () => void;
  /** Waits long enough for anything the bus is still doing (retries included) to be delivered. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** One behaviour, two implementations: the in-memory bus and Pub/Sub must both pass this. */
export function eventBusContract(makeProbe: () => Promise<BusProbe>): void {
  let probe: BusProbe;
  beforeEach(async () => {
    probe = await makeProbe();
  });
  afterEach(async () => {
    await probe.close();
  });

  it('delivers data, attributes and ordering key as published', async () => {
    await probe.watch('inbound');
    const id = await probe.bus.publish('inbound', {
      data: '{"hello":"wörld"}',
      attributes: { brand: 'velo-cafe', conversation: 'c-1' },
      orderingKey: 'c-1',
    });
    expect(id).toEqual(expect.any(String));
    const [message] = await probe.received('inbound', 1);
    expect(message).toEqual({
      data: '{"hello":"wörld"}',
      attributes: { brand: 'velo-cafe', conversation: 'c-1' },
      orderingKey: 'c-1',
    });
  });

  it('delivers bytes unchanged', async () => {
    await probe.watch('quarantine');
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0x00, 0x0a]);
    await probe.bus.publish('quarantine', { data: bytes, attributes: { reason: 'test' } });
    const [message] = await probe.received('quarantine', 1);
    expect(Buffer.from(message!.data, 'latin1')).toEqual(Buffer.from(bytes));
  });

  it('keeps publish order within an ordering key', async () => {
    await probe.watch('outbound');
    const publishes: Promise<string>[] = [];
    for (let i = 0; i < 20; i++) {
      const key = i % 2 === 0 ? 'conv-a' : 'conv-b';
      publishes.push(
        probe.bus.publish('outbound', {
          data: String(i),
          attributes: { i: String(i) },
          orderingKey: key,
        }),
      );
    }
    await Promise.all(publishes);
    const received = await probe.received('outbound', 20);
    const order = (key: string) =>
      received.filter((m) => m.orderingKey === key).map((m) => Number(m.data));
    expect(order('conv-a')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(order('conv-b')).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });

  it('a publish that cannot complete fails, is never delivered later, and frees its ordering key', async () => {
    await probe.watch('inbound');
    const event = (data: string) => ({ data, attributes: { data }, orderingKey: 'conv-t' });
    await probe.bus.publish('inbound', event('before'));

    const restore = probe.cutOff('inbound');
    const failure = await probe.bus.publish('inbound', event('lost')).catch((e: unknown) => e);
    // Retryable: the webhook answers 503 and Google redelivers it.
    expect(failure).toMatchObject({ name: 'PublishFailedError', retryable: true });
    restore();

    // The conversation's next event goes through on the same client: its key was resumed.
    await probe.bus.publish('inbound', event('after'));
    await probe.received('inbound', 2);
    await probe.settle();
    // The failed publish stopped when it failed: it does not turn up after the caller gave up
    // (and answered 503), nor out of order after the key's next event.
    expect((await probe.received('inbound', 2)).map((m) => m.data)).toEqual(['before', 'after']);
  }, 30_000);

  it('keeps topics apart', async () => {
    await probe.watch('automation');
    await probe.watch('live-agent');
    await probe.bus.publish('automation', { data: 'a', attributes: { to: 'automation' } });
    await probe.bus.publish('live-agent', { data: 'l', attributes: { to: 'live-agent' } });
    expect((await probe.received('automation', 1)).map((m) => m.data)).toEqual(['a']);
    expect((await probe.received('live-agent', 1)).map((m) => m.data)).toEqual(['l']);
  });
}
