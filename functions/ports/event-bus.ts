/**
 * The event bus between functions. Production: Pub/Sub topics. Tests and the one-process local
 * mode: an in-memory bus. Both pass the same contract suite (test/adapters/event-bus.contract.ts).
 */

/** Logical topic names; configuration maps each to a real topic ID. */
export const TOPICS = ['inbound', 'automation', 'live-agent', 'outbound', 'quarantine'] as const;
export type Topic = (typeof TOPICS)[number];

export interface OutgoingMessage {
  /** JSON text or raw bytes; Pub/Sub carries bytes either way. */
  data: string | Uint8Array;
  /** String attributes: routing and log correlation without decoding the data. */
  attributes: Record<string, string>;
  /** Messages with the same key are delivered in publish order (the conversation ID). */
  orderingKey?: string;
}

export interface EventBus {
  /** Resolves with the bus's message ID once the bus has durably accepted the message. */
  publish(topic: Topic, message: OutgoingMessage): Promise<string>;
}

/**
 * A publish the bus did not accept. Usually retrying later may succeed (the default); the bus
 * says `retryable: false` when it refused the message itself (an attribute over its size
 * limit, say), which the same message would meet on every retry.
 */
export class PublishFailedError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly topic: Topic,
    cause: unknown,
    options: { retryable?: boolean } = {},
  ) {
    super(`publish to ${topic} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'PublishFailedError';
    this.retryable = options.retryable ?? true;
  }
}
