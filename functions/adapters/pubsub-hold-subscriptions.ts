import type { PubSub } from '@google-cloud/pubsub';

/**
 * Hold subscriptions on Pub/Sub: pull subscriptions nobody acknowledges, that keep what lands on
 * a dead-letter topic or in quarantine until an operator looks (infra/lib.sh `…-push-dlq-hold`
 * and `quarantine-hold`; locally functions/local/topology.ts `…-dead-letter-keep` and
 * `quarantine-keep`). Reading one leases its messages with synchronous pulls; they are released
 * (visible again at once) unless acknowledged, which removes them for good.
 */

export interface SubscriptionInfo {
  /** The subscription ID (not the full resource name). */
  name: string;
  /** The topic ID it receives from. */
  topic: string;
  /** Whether Pub/Sub pushes it to an endpoint (a function's subscription). */
  push: boolean;
  /** The topic ID its undeliverable messages go to, if it has a dead-letter policy. */
  deadLetterTopic?: string;
}

export interface HeldMessage {
  subscription: string;
  /** Valid while the lease lasts: for acknowledging or releasing this delivery. */
  ackId: string;
  messageId: string;
  publishTime?: string;
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey: string;
}

export interface PullOptions {
  /** At most this many messages. */
  max: number;
  /** How long the messages stay leased to us (unless released or acknowledged first). */
  leaseSeconds: number;
}

/** What the pull RPC answers, as far as it is read here. */
interface PullResponse {
  receivedMessages?: {
    ackId?: string | null;
    message?: {
      data?: Uint8Array | string | null;
      attributes?: Record<string, string> | null;
      messageId?: string | null;
      publishTime?: { seconds?: number | string | null; nanos?: number | null } | null;
      orderingKey?: string | null;
    } | null;
  }[];
}

/** Messages per pull request. */
const PULL_BATCH = 100;
/** Empty answers in a row after which a hold counts as read to the end (Pub/Sub may answer empty early). */
const EMPTY_PULLS_TO_STOP = 2;

export class PubSubHoldSubscriptions {
  constructor(
    private readonly pubsub: PubSub,
    private readonly projectId: string,
  ) {}

  /** Every subscription of the project, with what a hold is recognised by. */
  async subscriptions(): Promise<SubscriptionInfo[]> {
    const [subscriptions] = await this.pubsub.getSubscriptions();
    return subscriptions.map((s) => {
      const metadata = s.metadata ?? {};
      const deadLetterTopic = metadata.deadLetterPolicy?.deadLetterTopic;
      return {
        name: shortName(s.name),
        topic: shortName(typeof metadata.topic === 'string' ? metadata.topic : ''),
        push: Boolean(metadata.pushConfig?.pushEndpoint),
        ...(deadLetterTopic ? { deadLetterTopic: shortName(deadLetterTopic) } : {}),
      };
    });
  }

  /** Leases up to `max` messages of the hold (all it has, if fewer). */
  async pull(subscription: string, options: PullOptions): Promise<HeldMessage[]> {
    const held: HeldMessage[] = [];
    const seen = new Set<string>();
    let empty = 0;
    while (held.length < options.max && empty < EMPTY_PULLS_TO_STOP) {
      const response = await this.call<PullResponse>('pull', {
        subscription: this.path(subscription),
        maxMessages: Math.min(PULL_BATCH, options.max - held.length),
        // Deprecated for serving traffic, right for an operator's look: answer now, even if empty.
        returnImmediately: true,
      });
      const fresh = (response.receivedMessages ?? []).flatMap((r) =>
        r.ackId && r.message?.messageId ? [toHeld(subscription, r.ackId, r.message)] : [],
      );
      if (fresh.length === 0) {
        empty += 1;
        continue;
      }
      empty = 0;
      await this.call('modifyAckDeadline', {
        subscription: this.path(subscription),
        ackIds: fresh.map((m) => m.ackId),
        ackDeadlineSeconds: options.leaseSeconds,
      });
      for (const message of fresh) {
        // A message redelivered while we read (an expired lease) is counted once.
        if (seen.has(message.messageId)) continue;
        seen.add(message.messageId);
        held.push(message);
      }
    }
    return held;
  }

  /** Gives the messages back to the hold at once, untouched. */
  async release(subscription: string, messages: readonly HeldMessage[]): Promise<void> {
    for (const ackIds of chunks(messages.map((m) => m.ackId))) {
      await this.call('modifyAckDeadline', {
        subscription: this.path(subscription),
        ackIds,
        ackDeadlineSeconds: 0,
      });
    }
  }

  /** Removes the messages from the hold for good. */
  async acknowledge(subscription: string, messages: readonly HeldMessage[]): Promise<void> {
    for (const ackIds of chunks(messages.map((m) => m.ackId))) {
      await this.call('acknowledge', { subscription: this.path(subscription), ackIds });
    }
  }

  private path(subscription: string): string {
    return `projects/${this.projectId}/subscriptions/${subscription}`;
  }

  /** One call of the generated subscriber client, through the PubSub object's own set-up. */
  private call<T>(method: string, reqOpts: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pubsub.request<T>({ client: 'SubscriberClient', method, reqOpts }, (error, result) => {
        if (error) reject(error);
        else resolve(result as T);
      });
    });
  }
}

function toHeld(
  subscription: string,
  ackId: string,
  message: NonNullable<NonNullable<PullResponse['receivedMessages']>[number]['message']>,
): HeldMessage {
  const seconds = Number(message.publishTime?.seconds ?? NaN);
  return {
    subscription,
    ackId,
    messageId: message.messageId ?? '',
    ...(Number.isFinite(seconds)
      ? {
          publishTime: new Date(
            seconds * 1000 + Math.floor((message.publishTime?.nanos ?? 0) / 1e6),
          ).toISOString(),
        }
      : {}),
    data:
      typeof message.data === 'string'
        ? Buffer.from(message.data, 'base64')
        : Buffer.from(message.data ?? new Uint8Array()),
    attributes: { ...(message.attributes ?? {}) },
    orderingKey: message.orderingKey ?? '',
  };
}

/** `projects/P/topics/T` → `T` (and the same for subscriptions). */
function shortName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** Ack IDs per request: well under the request size limit. */
function chunks(ids: readonly string[], size = 500): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}
