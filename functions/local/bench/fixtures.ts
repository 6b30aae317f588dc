import { randomUUID } from 'node:crypto';
import { signBody } from '../../webhook/signature';
import { SAMPLE_AGENT } from '../sample-brand';
import { customerEvent, type CustomerAction } from '../simulator/customer-events';

/**
 * What the benchmarks send: realistic Business Messages webhook events for the sample brand
 * (built by the simulator's `customerEvent`, signed like Google signs them), and the push
 * requests Pub/Sub makes to event functions.
 */
export const PARTNER_KEY = 'dev-partner-key';

/** One customer's five turns; each matches one of the sample brand's intents, so the bot answers
 *  every one (no misses, so no handoff to a human mid-benchmark). */
export const SCRIPT = [
  'Hello! Are you open on Sunday?',
  'How much is a cappuccino?',
  'Where are you located?',
  'Can I book a bike repair?',
  'Thanks, perfect!',
] as const;

export interface SignedEvent {
  conversationId: string;
  body: string;
  signature: string;
}

export function signedEvent(
  conversationId: string,
  action: CustomerAction,
  key = PARTNER_KEY,
): SignedEvent {
  const body = JSON.stringify(
    customerEvent(
      {
        conversationId,
        agent: SAMPLE_AGENT,
        locale: 'en',
        entryPoint: 'PLACESHEET',
        displayName: 'Sam Customer',
      },
      action,
      { requestId: randomUUID(), messageId: randomUUID() },
      new Date(),
    ),
  );
  return { conversationId, body, signature: signBody(body, key) };
}

/** `size` signed text events over `conversations` conversations, different IDs each. */
export function signedPool(size: number, conversations: number): SignedEvent[] {
  const ids = Array.from({ length: conversations }, () => randomUUID());
  return Array.from({ length: size }, (_, i) =>
    signedEvent(ids[i % conversations] as string, {
      type: 'text',
      text: SCRIPT[i % SCRIPT.length] as string,
    }),
  );
}

export const webhookHeaders = (event: SignedEvent): Record<string, string> => ({
  'content-type': 'application/json',
  'x-goog-signature': event.signature,
});

export interface BusMessage {
  data: string | Uint8Array;
  attributes: Record<string, string>;
  orderingKey?: string;
}

/** The body and path of a Pub/Sub push to an event function, as the emulator sends it. */
export function pushRequest(
  projectId: string,
  topicId: string,
  message: BusMessage,
  messageId: string,
): { path: string; body: string } {
  const data = typeof message.data === 'string' ? Buffer.from(message.data) : message.data;
  return {
    path: `/projects/${projectId}/topics/${topicId}`,
    body: JSON.stringify({
      message: {
        data: Buffer.from(data).toString('base64'),
        attributes: message.attributes,
        messageId,
        publishTime: new Date().toISOString(),
        ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
      },
      subscription: `projects/${projectId}/subscriptions/${topicId}-bench`,
    }),
  };
}
