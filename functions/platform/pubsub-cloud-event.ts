import * as z from 'zod';
import { describeIssues } from '../core/validation-problems';

/**
 * The Pub/Sub message inside the CloudEvent an event function receives, parsed once.
 * Eventarc and functions-framework's conversion of a raw push (the emulator) both give
 * `data.message` with base64 `data`; the framework's conversion drops `orderingKey`, so
 * functions never rely on it and read the conversation from attributes instead.
 */
const PubSubMessage = z.object({
  data: z.string().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  messageId: z.string().optional(),
  message_id: z.string().optional(),
  publishTime: z.string().optional(),
  orderingKey: z.string().optional(),
});

export const PubSubCloudEvent = z.object({
  id: z.string().optional(),
  data: z.object({
    message: PubSubMessage,
    subscription: z.string().optional(),
    deliveryAttempt: z.number().optional(),
  }),
});

export interface ReceivedPubSubMessage {
  messageId: string;
  data: Buffer;
  attributes: Record<string, string>;
  publishTime?: string;
  deliveryAttempt?: number;
}

export type CloudEventParseResult =
  { ok: true; message: ReceivedPubSubMessage } | { ok: false; reason: string };

export function parsePubSubCloudEvent(cloudEvent: unknown): CloudEventParseResult {
  const parsed = PubSubCloudEvent.safeParse(cloudEvent);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `not a Pub/Sub CloudEvent: ${describeIssues(parsed.error)}`,
    };
  }
  const { message, deliveryAttempt } = parsed.data.data;
  const messageId = message.messageId ?? message.message_id ?? parsed.data.id;
  if (!messageId) return { ok: false, reason: 'Pub/Sub message without an ID' };
  return {
    ok: true,
    message: {
      messageId,
      data: Buffer.from(message.data ?? '', 'base64'),
      attributes: message.attributes ?? {},
      ...(message.publishTime ? { publishTime: message.publishTime } : {}),
      ...(deliveryAttempt !== undefined ? { deliveryAttempt } : {}),
    },
  };
}

/** The CloudEvent functions-framework would hand a function for this message: for the
 *  one-process local mode and tests, so they exercise the same parsing path as production. */
export function toPubSubCloudEvent(
  topicResource: string,
  message: {
    id: string;
    data: Uint8Array;
    attributes: Record<string, string>;
    publishTime: string;
    orderingKey?: string;
  },
) {
  return {
    specversion: '1.0',
    id: message.id,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: `//pubsub.googleapis.com/${topicResource}`,
    time: message.publishTime,
    data: {
      message: {
        data: Buffer.from(message.data).toString('base64'),
        attributes: message.attributes,
        messageId: message.id,
        publishTime: message.publishTime,
        ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
      },
    },
  };
}
