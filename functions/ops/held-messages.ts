import type { HeldMessage, SubscriptionInfo } from '../adapters/pubsub-hold-subscriptions';
import type { Topic } from '../ports/event-bus';
import { fields } from './output';
import type { Clients } from './target';

/**
 * What dead letters and quarantined events have in common for an operator: messages kept in a
 * hold subscription, shown the same way and published back the same way.
 */

/** How long pulled messages stay leased while a command looks at them or asks a person. */
export const LEASE_SECONDS = 600;

/** The message as JSON for `--json`: data as text when it is UTF-8, else base64. */
export interface HeldJson {
  subscription: string;
  messageId: string;
  publishTime: string | null;
  orderingKey: string;
  attributes: Record<string, string>;
  bytes: number;
  data?: string;
  dataBase64?: string;
}

export function heldJson(m: HeldMessage): HeldJson {
  const text = m.data.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(m.data);
  return {
    subscription: m.subscription,
    messageId: m.messageId,
    publishTime: m.publishTime ?? null,
    orderingKey: m.orderingKey,
    attributes: m.attributes,
    bytes: m.data.length,
    ...(utf8 ? { data: text } : { dataBase64: m.data.toString('base64') }),
  };
}

/** The message for a person: its fields, attributes, and the data (JSON indented). */
export function heldText(m: HeldMessage): string {
  const json = heldJson(m);
  let body = json.data ?? `(binary, base64) ${json.dataBase64 ?? ''}`;
  try {
    if (json.data !== undefined) body = JSON.stringify(JSON.parse(json.data), null, 2);
  } catch {
    // Not JSON: shown as it is.
  }
  return (
    fields([
      ['message', m.messageId],
      ['held in', m.subscription],
      ['published', m.publishTime ?? '—'],
      ['ordering key', m.orderingKey || '—'],
      ['bytes', String(m.data.length)],
      ...Object.entries(m.attributes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [`  ${k}`, v] as [string, string]),
    ]) + `data:\n${body}\n`
  );
}

/** Pulls every hold (up to `max` each), runs `use`, and gives back what `use` did not take. */
export async function withHeld<T>(
  clients: Clients,
  holds: readonly SubscriptionInfo[],
  max: number,
  use: (messages: HeldMessage[]) => Promise<{ result: T; taken?: ReadonlySet<HeldMessage> }>,
): Promise<T> {
  const messages: HeldMessage[] = [];
  try {
    for (const hold of holds) {
      messages.push(...(await clients.holds.pull(hold.name, { max, leaseSeconds: LEASE_SECONDS })));
    }
    const { result, taken } = await use(messages);
    await release(
      clients,
      messages.filter((m) => !taken?.has(m)),
    );
    return result;
  } catch (error) {
    await release(clients, messages).catch(() => undefined);
    throw error;
  }
}

async function release(clients: Clients, messages: readonly HeldMessage[]): Promise<void> {
  const bySubscription = new Map<string, HeldMessage[]>();
  for (const m of messages)
    bySubscription.set(m.subscription, [...(bySubscription.get(m.subscription) ?? []), m]);
  for (const [subscription, held] of bySubscription)
    await clients.holds.release(subscription, held);
}

/**
 * Publishes a message to a topic by its ID: through the functions' event bus when it is one of
 * the pipeline's topics, so it is published exactly as the functions publish.
 */
export async function publishTo(
  clients: Clients,
  topicId: string,
  message: { data: Uint8Array; attributes: Record<string, string>; orderingKey?: string },
): Promise<string> {
  const logical = (Object.entries(clients.topicIds) as [Topic, string][]).find(
    ([, id]) => id === topicId,
  )?.[0];
  if (logical) return clients.bus.publish(logical, message);
  return clients.pubsub.topic(topicId, { messageOrdering: true }).publishMessage({
    data: Buffer.from(message.data),
    attributes: message.attributes,
    ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
  });
}
