import * as z from 'zod';

/**
 * What the live-agent function tells the agents' consoles about a customer, beside the
 * conversation changes they see anyway: the customer is typing, the customer wrote. Keyed by
 * the inbound event's dedupe key, so a redelivered event gives the same notice (once).
 */

const IsoTime = z.iso.datetime({ offset: true });

const Common = {
  /** The inbound event's dedupe key. */
  key: z.string().min(1),
  conversationId: z.string().min(1),
  brandId: z.string().min(1),
  /** When the customer acted. */
  at: IsoTime,
};

export const CustomerTypingNotice = z.object({
  kind: z.literal('customer.typing'),
  ...Common,
  isTyping: z.boolean(),
});
export type CustomerTypingNotice = z.infer<typeof CustomerTypingNotice>;

export const CustomerMessageNotice = z.object({
  kind: z.literal('customer.message'),
  ...Common,
  messageKind: z.enum(['text', 'image', 'suggestion']),
  /** Google's message ID (text and image). */
  messageId: z.string().optional(),
  /** Customer content, for the agents of the brand; never logged. */
  text: z.string().optional(),
  imageUrl: z.string().optional(),
  postbackData: z.string().optional(),
});
export type CustomerMessageNotice = z.infer<typeof CustomerMessageNotice>;

export const FeedNotice = z.discriminatedUnion('kind', [
  CustomerTypingNotice,
  CustomerMessageNotice,
]);
export type FeedNotice = z.infer<typeof FeedNotice>;

/** How long a notice is kept: consoles only ever need the live ones. */
export const FEED_NOTICE_TTL_HOURS = 24;
