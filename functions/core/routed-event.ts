import * as z from 'zod';
import {
  ConversationSnapshot,
  Route,
  canonicalSnapshot,
  type RecordedRouting,
} from './conversation';
import { parseInboundEvent, type Digest, type InboundEvent } from './inbound-event';
import type { Transition } from './state-machine';
import { describeIssues } from './validation-problems';

/**
 * What the classifier publishes on `automation` and `live-agent`: the webhook body as Google
 * sent it, the routing decision, and the conversation as it stood after the event.
 *
 * - data: JSON `{schemaVersion: 1, webhook, decision: {route, reason}, conversation, routedAt,
 *   createdConversation?}`
 * - attributes: `brand, agent, conversation, kind, dedupeKey, traceId, route, reason`
 * - ordering key: the conversation ID
 *
 * A redelivered inbound event republishes the same data (built from what the first delivery
 * recorded), so consumers dedupe on the `dedupeKey` attribute and may see one event twice. The
 * one exception is `createdConversation`: the classifier knows it only while applying the event,
 * and the recorded routing does not keep it, so a republished event goes without it and a
 * consumer that needs it asks the store (automation reads the message log, as it always could).
 */

export const ROUTED_EVENT_SCHEMA_VERSION = 1;

export const RoutedEvent = z.object({
  schemaVersion: z.literal(ROUTED_EVENT_SCHEMA_VERSION),
  /** The webhook JSON object exactly as received on `inbound`. */
  webhook: z.record(z.string(), z.unknown()),
  decision: z.object({ route: Route, reason: z.string().min(1) }),
  conversation: ConversationSnapshot,
  routedAt: z.iso.datetime({ offset: true }),
  /**
   * Whether applying this event created the conversation: nothing the customer did reached it
   * before (typing and receipts create no conversation). The bot greets such an event without
   * reading the message log. Absent when the publisher does not know (a republished event).
   */
  createdConversation: z.boolean().optional(),
});
export type RoutedEvent = z.infer<typeof RoutedEvent>;

export interface RoutedEventAttributes extends Record<string, string> {
  brand: string;
  agent: string;
  conversation: string;
  kind: string;
  dedupeKey: string;
  traceId: string;
  route: string;
  reason: string;
}

/** A message for the event bus (structurally the port's `OutgoingMessage`). */
export interface RoutedMessage {
  topic: Route;
  data: string;
  attributes: RoutedEventAttributes;
  orderingKey: string;
}

/**
 * Whether a transition created its conversation: its state changed from none. The state
 * machine creates a conversation for every event it logs, and for no other.
 */
export const createsConversation = (result: Transition): boolean =>
  result.effects.some((e) => e.type === 'state-change' && e.from === null);

/**
 * The message announcing a routed inbound event. Built only from its inputs, in a fixed key
 * order, so the same recorded routing (and `createdConversation`) always gives the same bytes.
 * Undefined when the recorded decision routes nowhere. `createdConversation` is what applying
 * the event did (`createsConversation`); leave it undefined when republishing a recorded routing.
 */
export function routedMessage(
  event: InboundEvent,
  webhook: Record<string, unknown>,
  routing: RecordedRouting,
  traceId: string,
  createdConversation?: boolean,
): RoutedMessage | undefined {
  const { route, reason } = routing.decision;
  if (route === null || routing.conversation === null) return undefined;
  const data: RoutedEvent = {
    schemaVersion: ROUTED_EVENT_SCHEMA_VERSION,
    webhook,
    decision: { route, reason },
    conversation: canonicalSnapshot(routing.conversation),
    routedAt: routing.routedAt,
    ...(createdConversation === undefined ? {} : { createdConversation }),
  };
  return {
    topic: route,
    data: JSON.stringify(data),
    attributes: {
      brand: event.brandId,
      agent: event.agent,
      conversation: event.conversationId,
      kind: event.kind,
      dedupeKey: event.dedupeKey,
      traceId,
      route,
      reason,
    },
    orderingKey: event.conversationId,
  };
}

export type RoutedEventParseResult =
  { ok: true; value: RoutedEvent; event: InboundEvent } | { ok: false; reason: string };

/**
 * Parses a routed event's JSON (already `JSON.parse`d) once, at the consumer's edge: the
 * envelope, and the webhook inside it as an `InboundEvent`. `digest` must be the one the
 * webhook and classifier use (`sha256Digest`), so the event's dedupe key is the same.
 */
export function parseRoutedEvent(json: unknown, digest: Digest): RoutedEventParseResult {
  const parsed = RoutedEvent.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `not a routed event: ${describeIssues(parsed.error)}`,
    };
  }
  const inbound = parseInboundEvent(parsed.data.webhook, digest);
  if (!inbound.ok) return { ok: false, reason: `webhook: ${inbound.reason}` };
  return { ok: true, value: parsed.data, event: inbound.event };
}
