import type { EventBus, OutgoingMessage, Topic } from '../ports/event-bus';
import { PublishFailedError } from '../ports/event-bus';
import { isoTimestamp } from '../platform/iso-time';

/** A message as a subscriber receives it, shaped like a Pub/Sub delivery. */
export interface DeliveredMessage {
  id: string;
  topic: Topic;
  data: Uint8Array;
  attributes: Record<string, string>;
  orderingKey?: string;
  publishTime: string;
  deliveryAttempt: number;
}

export type Subscriber = (message: DeliveredMessage) => Promise<void>;

export interface InMemoryEventBusOptions {
  /** Deliveries per message before it is dead-lettered, like a subscription's policy. */
  maxDeliveryAttempts?: number;
  now?: () => Date;
}

/**
 * The event bus in one process: for unit tests and the local mode without emulators.
 * Like Pub/Sub with ordering on: messages of one ordering key are delivered one at a time, in
 * publish order, and a failing message is redelivered before the key moves on; after the last
 * attempt it is dead-lettered. Delivery is asynchronous: `publish` resolves first.
 */
export class InMemoryEventBus implements EventBus {
  readonly published: DeliveredMessage[] = [];
  readonly deadLettered: { message: DeliveredMessage; error: unknown }[] = [];
  private readonly subscribers = new Map<Topic, Subscriber[]>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failures: { topic: Topic; error: Error }[] = [];
  private sequence = 0;
  private readonly maxAttempts: number;
  private readonly now: () => Date;

  constructor(options: InMemoryEventBusOptions = {}) {
    this.maxAttempts = options.maxDeliveryAttempts ?? 5;
    this.now = options.now ?? (() => new Date());
  }

  publish(topic: Topic, message: OutgoingMessage): Promise<string> {
    const failureIndex = this.failures.findIndex((f) => f.topic === topic);
    if (failureIndex >= 0) {
      const [failure] = this.failures.splice(failureIndex, 1);
      return Promise.reject(new PublishFailedError(topic, failure?.error));
    }
    const id = String(++this.sequence);
    const delivered: DeliveredMessage = {
      id,
      topic,
      data:
        typeof message.data === 'string' ? new TextEncoder().encode(message.data) : message.data,
      attributes: { ...message.attributes },
      ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
      publishTime: isoTimestamp(this.now()),
      deliveryAttempt: 0,
    };
    this.published.push(delivered);
    for (const subscriber of this.subscribers.get(topic) ?? []) this.enqueue(delivered, subscriber);
    return Promise.resolve(id);
  }

  /** Delivers every later message of `topic` to `subscriber`. */
  subscribe(topic: Topic, subscriber: Subscriber): void {
    this.subscribers.set(topic, [...(this.subscribers.get(topic) ?? []), subscriber]);
  }

  /** Makes the next publish to `topic` fail, as an unavailable bus would. */
  failNextPublish(topic: Topic, error = new Error('bus unavailable')): void {
    this.failures.push({ topic, error });
  }

  /** Resolves once every delivery, including those it causes, has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private enqueue(message: DeliveredMessage, subscriber: Subscriber): void {
    // Unordered messages get a key of their own so they never wait for each other.
    const key = `${message.topic}\u0000${message.orderingKey ?? `#${message.id}`}`;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(message, subscriber));
    this.chains.set(key, next);
    this.inFlight.add(next);
    void next.finally(() => {
      this.inFlight.delete(next);
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  private async deliver(message: DeliveredMessage, subscriber: Subscriber): Promise<void> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        await subscriber({ ...message, deliveryAttempt: attempt });
        return;
      } catch (error) {
        if (attempt === this.maxAttempts) this.deadLettered.push({ message, error });
      }
    }
  }
}
