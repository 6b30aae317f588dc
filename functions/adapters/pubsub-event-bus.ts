import type { PublishOptions, PubSub, Topic as PubSubTopic } from '@google-cloud/pubsub';
import type { EventBus, OutgoingMessage, Topic } from '../ports/event-bus';
import { PublishFailedError } from '../ports/event-bus';

export interface PubSubEventBusOptions {
  /** Topic ID for each logical topic. */
  topicIds: Record<Topic, string>;
  /**
   * How long a publish's RPC, retries included, may take before the client gives it up and we
   * let the caller decide (the webhook answers 503 so Google redelivers). It is the client
   * library's own per-call timeout, not a timer beside it: a timed-out publish is cancelled and
   * not retried behind the caller's back, so it can neither land after the 503 nor hold its
   * ordering key. The library's default retries a publish for minutes.
   */
  publishTimeoutMs?: number;
  /** Batching delay; small, because every publish is awaited by a caller that is waiting. */
  maxBatchDelayMs?: number;
}

export const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;
export const DEFAULT_BATCH_DELAY_MS = 1;

/** The event bus on Pub/Sub: one client and one Topic object per topic, reused across requests. */
export class PubSubEventBus implements EventBus {
  private readonly topics = new Map<Topic, PubSubTopic>();
  private readonly timeoutMs: number;
  private readonly batchDelayMs: number;

  constructor(
    private readonly pubsub: PubSub,
    private readonly options: PubSubEventBusOptions,
  ) {
    this.timeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    this.batchDelayMs = options.maxBatchDelayMs ?? DEFAULT_BATCH_DELAY_MS;
  }

  /**
   * One promise per publish, the client's callback settling it, and no copy of a Buffer's
   * bytes: the webhook awaits this on every request, and under functions-framework's per-request
   * domain each extra promise is dear (see the webhook's handler). The client holds `data` only
   * until the publish settles, which the caller awaits.
   */
  publish(topic: Topic, message: OutgoingMessage): Promise<string> {
    const { orderingKey } = message;
    return new Promise((resolve, reject) => {
      try {
        const target = this.topic(topic);
        target.publishMessage(
          {
            data: bytesOf(message.data),
            attributes: message.attributes,
            ...(orderingKey ? { orderingKey } : {}),
          },
          (error, messageId) => {
            if (!error) {
              resolve(messageId ?? '');
              return;
            }
            // A failed publish pauses its ordering key in this client (later publishes of the
            // key fail at once) until resumed, as the library documents; without this every
            // later event of the conversation would fail on this instance. The failed batch is
            // over by now (the client reports only once it has given up on it), so nothing of
            // it is still in flight.
            if (orderingKey) target.resumePublishing(orderingKey);
            reject(new PublishFailedError(topic, error, { retryable: !refusedForGood(error) }));
          },
        );
      } catch (error) {
        reject(new PublishFailedError(topic, error));
      }
    });
  }

  /** Flushes pending batches and closes the client (graceful shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.topics.values()].map((t) => t.flush()));
    await this.pubsub.close();
  }

  private topic(topic: Topic): PubSubTopic {
    let cached = this.topics.get(topic);
    if (!cached) {
      cached = this.pubsub.topic(
        this.options.topicIds[topic],
        publishOptions({ timeoutMs: this.timeoutMs, batchDelayMs: this.batchDelayMs }),
      );
      this.topics.set(topic, cached);
    }
    return cached;
  }
}

/**
 * How every topic is published to. Exported so the benchmark's publish-only floor publishes
 * exactly as the functions do.
 */
export function publishOptions(settings: { timeoutMs: number; batchDelayMs: number }) {
  return {
    messageOrdering: true,
    batching: { maxMessages: 100, maxMilliseconds: settings.batchDelayMs },
    // google-gax applies a call's `timeout` as the attempt timeout and as the total timeout of
    // its retries: past it the RPC is cancelled and the publish rejected (DEADLINE_EXCEEDED).
    // A message queued behind an in-flight batch of its key waits for that batch, then either
    // gets a timeout of its own or, if the batch failed, is rejected with it.
    gaxOpts: { timeout: settings.timeoutMs },
  } satisfies PublishOptions;
}

/** What the client publishes: a Buffer as it is; text encoded; other byte views copied. */
function bytesOf(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
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
