import * as z from 'zod';
import { Event, Message } from './business-messages-api';
import { capAttributeValues } from './utf8';

/**
 * What goes on the `outbound` topic: one call to the Business Messages API, fully decided.
 * Automation, the live-agent function and the agent API publish these; only the sender performs
 * them. Every ID is fixed by the publisher, deterministically from what caused the send, so a
 * redelivered cause yields the same command and the API's ALREADY_EXISTS makes it happen once.
 * Ordering key: the conversation ID, so the customer sees JOINED, messages, LEFT in order.
 */
const Common = {
  conversationId: z.string().min(1),
  brandId: z.string().min(1),
  /** The agent resource name, `brands/B/agents/A`. */
  agent: z.string().min(1),
  /** What caused this send: the inbound dedupe key or an agent API request ID. */
  causedBy: z.string().min(1),
  /** When the publisher decided it. */
  createdAt: z.iso.datetime({ offset: true }),
  /**
   * When the customer last wrote, as the publisher knew it (the routed event's conversation):
   * the anchor of the 30-day window. It only ever moves later, so a time inside the window
   * proves the window open and the sender need not read the conversation; when it is absent, or
   * outside the window, the sender asks the store (`checkCarriedSendWindow`).
   */
  lastUserMessageAt: z.iso.datetime({ offset: true }).optional(),
};

export const SendMessageCommand = z.object({
  type: z.literal('message'),
  ...Common,
  /** The full API body; `message.messageId` is the idempotency key. */
  message: Message,
});
export type SendMessageCommand = z.infer<typeof SendMessageCommand>;

export const SendEventCommand = z.object({
  type: z.literal('event'),
  ...Common,
  eventId: z.string().min(1),
  event: Event,
});
export type SendEventCommand = z.infer<typeof SendEventCommand>;

export const SendSurveyCommand = z.object({
  type: z.literal('survey'),
  ...Common,
  surveyId: z.string().min(1),
});
export type SendSurveyCommand = z.infer<typeof SendSurveyCommand>;

/** Marks a customer's message READ (`updateReceipt`), e.g. when an agent opens it. */
export const SendReceiptCommand = z.object({
  type: z.literal('receipt'),
  ...Common,
  /** The customer's message ID, as Google gave it. */
  messageId: z.string().min(1),
  receiptType: z.literal('READ'),
});
export type SendReceiptCommand = z.infer<typeof SendReceiptCommand>;

export const OutboundCommand = z.discriminatedUnion('type', [
  SendMessageCommand,
  SendEventCommand,
  SendSurveyCommand,
  SendReceiptCommand,
]);
export type OutboundCommand = z.infer<typeof OutboundCommand>;

/**
 * The command with the customer's last message time the publisher knows (see
 * `lastUserMessageAt`), or unchanged when it knows none.
 */
export function withLastUserMessageAt<C extends OutboundCommand>(
  command: C,
  lastUserMessageAt: string | null | undefined,
): C {
  return typeof lastUserMessageAt === 'string' ? { ...command, lastUserMessageAt } : command;
}

/** The ID the API call is idempotent on; also the message log key of the send. */
export function outboundId(command: OutboundCommand): string {
  switch (command.type) {
    case 'message':
      return command.message.messageId;
    case 'event':
      return command.eventId;
    case 'survey':
      return command.surveyId;
    case 'receipt':
      return `receipt-${command.messageId}`;
  }
}

/** An `outbound` message (structurally the event bus's `OutgoingMessage`). */
export interface OutboundBusMessage {
  data: string;
  attributes: Record<string, string>;
  orderingKey: string;
}

/**
 * A command as published by every function that sends (the bot, the live-agent function, the
 * agent API): ordered by conversation, with the attributes subscriptions filter on (`brand`, and
 * `dedicated` for brands with their own sender, see infra/brand.sh). Values are cut to Pub/Sub's
 * 1024 bytes (`causedBy` may be long): an over-long one fails the publish for good. The data
 * keeps them whole.
 */
export function outboundBusMessage(
  command: OutboundCommand,
  options: { traceId: string | undefined; dedicated: boolean },
): OutboundBusMessage {
  return {
    data: JSON.stringify(command),
    attributes: capAttributeValues({
      brand: command.brandId,
      conversation: command.conversationId,
      type: command.type,
      causedBy: command.causedBy,
      ...(options.traceId !== undefined ? { traceId: options.traceId } : {}),
      ...(options.dedicated ? { dedicated: 'true' } : {}),
    }),
    orderingKey: command.conversationId,
  };
}
