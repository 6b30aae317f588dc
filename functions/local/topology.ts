import type { PubSub } from '@google-cloud/pubsub';
import { TOPICS, type Topic } from '../ports/event-bus';

/**
 * The Pub/Sub wiring of the product, as infra/ creates it in Google Cloud, for the emulator:
 * every topic, a dead-letter topic per subscription with a subscription that keeps what lands
 * there, and a push subscription per event function with ordering on. A push endpoint of the
 * form `http://HOST:PORT/projects/P/topics/T` makes functions-framework turn the raw push into a
 * real CloudEvent, as Eventarc would.
 */
export const EVENT_FUNCTIONS: readonly { name: string; topic: Topic }[] = [
  { name: 'classifier', topic: 'inbound' },
  { name: 'automation', topic: 'automation' },
  { name: 'liveAgent', topic: 'live-agent' },
  { name: 'sender', topic: 'outbound' },
];

export interface TopologyOptions {
  projectId: string;
  /** Topic ID per logical topic (defaults to the logical name). */
  topicIds?: Partial<Record<Topic, string>>;
  /** Base URL of each event function that should get a push subscription. */
  endpoints: Partial<Record<string, string>>;
  /** Seconds Pub/Sub waits for a push to be answered; also the push request timeout. */
  ackDeadlineSeconds?: number;
  maxDeliveryAttempts?: number;
}

export interface CreatedTopology {
  topics: string[];
  subscriptions: string[];
}

export async function createTopology(
  pubsub: PubSub,
  options: TopologyOptions,
): Promise<CreatedTopology> {
  const topicId = (t: Topic) => options.topicIds?.[t] ?? t;
  const created: CreatedTopology = { topics: [], subscriptions: [] };
  const ensureTopic = async (id: string) => {
    const topic = pubsub.topic(id);
    const [exists] = await topic.exists();
    if (!exists) await pubsub.createTopic(id);
    created.topics.push(id);
    return topic;
  };
  const ensureSubscription = async (
    topicName: string,
    name: string,
    options: Record<string, unknown>,
  ) => {
    const subscription = pubsub.subscription(name);
    const [exists] = await subscription.exists();
    if (!exists) await pubsub.topic(topicName).createSubscription(name, options);
    created.subscriptions.push(name);
  };

  for (const t of TOPICS) await ensureTopic(topicId(t));
  // What is quarantined is kept for people to look at: a pull subscription nobody acknowledges.
  await ensureSubscription(topicId('quarantine'), `${topicId('quarantine')}-keep`, {
    messageRetentionDuration: { seconds: 7 * 24 * 3600 },
  });

  for (const fn of EVENT_FUNCTIONS) {
    const endpoint = options.endpoints[fn.name];
    if (!endpoint) continue;
    const source = topicId(fn.topic);
    const deadLetter = `${source}-${fn.name}-dead-letter`;
    await ensureTopic(deadLetter);
    await ensureSubscription(deadLetter, `${deadLetter}-keep`, {});
    await ensureSubscription(source, `${source}-${fn.name}`, {
      pushConfig: {
        pushEndpoint: `${endpoint.replace(/\/$/, '')}/projects/${options.projectId}/topics/${source}`,
      },
      enableMessageOrdering: true,
      ackDeadlineSeconds: options.ackDeadlineSeconds ?? 60,
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 60 } },
      deadLetterPolicy: {
        deadLetterTopic: `projects/${options.projectId}/topics/${deadLetter}`,
        maxDeliveryAttempts: options.maxDeliveryAttempts ?? 10,
      },
    });
  }
  return created;
}
