import type { PubSub, Topic as PubSubTopic } from '@google-cloud/pubsub';
import type { EventBus, OutgoingMessage, Topic } from '../ports/event-bus';
import { PublishFailedError } from '../ports/event-bus';

export interface PubSubEventBusOptions {
  /** Topic ID for each logical topic. */
  topicIds: Record<Topic, string>;
  /**
   * How long a publish may take before we give up and let the caller decide (the webhook
   * answers 503 so Google redelivers). The client would otherwise retry for up to 10 minutes.
   */
  publishTimeoutMs?: number;
  /** Batching delay; small, because every publish is awaited by a caller that is waiting. */
  maxBatchDelayMs?: number;
}

/** The event bus on Pub/Sub: one client and one Topic object per topic, reused across requests. */
export class PubSubEventBus implements EventBus {
  private readonly topics = new Map<Topic, PubSubTopic>();
  private readonly timeoutMs: number;
  private readonly batchDelayMs: number;

  constructor(
    private readonly pubsub: PubSub,
    private readonly options: PubSubEventBusOptions,
  ) {
    this.timeoutMs = options.publishTimeoutMs ?? 10_000;
    this.batchDelayMs = options.maxBatchDelayMs ?? 1;
  }

  async publish(topic: Topic, message: OutgoingMessage): Promise<string> {
    const target = this.topic(topic);
    const data =
      typeof message.data === 'string'
        ? Buffer.from(message.data, 'utf8')
        : Buffer.from(message.data);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        target.publishMessage({
          data,
          attributes: message.attributes,
          ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no acknowledgement within ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      // A failed publish pauses its ordering key in this client until resumed; without this
      // every later event of the conversation would fail on this instance.
      if (message.orderingKey) target.resumePublishing(message.orderingKey);
      throw new PublishFailedError(topic, error, { retryable: !refusedForGood(error) });
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Flushes pending batches and closes the client (graceful shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.topics.values()].map((t) => t.flush()));
    await this.pubsub.close();
  }

  private topic(topic: Topic): PubSubTopic {
    let cached = this.topics.get(topic);
    if (!cached) {
      cached = this.pubsub.topic(this.options.topicIds[topic], {
        messageOrdering: true,
        batching: { maxMessages: 100, maxMilliseconds: this.batchDelayMs },
      });
      this.topics.set(topic, cached);
    }
    return cached;
  }
}

/** gRPC INVALID_ARGUMENT: Pub/Sub refused the message itself (an attribute or key too long). */
const INVALID_ARGUMENT = 3;

/**
 * Whether Pub/Sub refused this very message, so publishing it again can never succeed. Only
 * INVALID_ARGUMENT is: anything else (unavailable, a timeout, a paused ordering key, no
 * permission yet) may pass on a later attempt and stays retryable.
 */
function refusedForGood(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === INVALID_ARGUMENT
  );
}
