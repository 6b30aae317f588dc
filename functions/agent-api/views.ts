import * as z from 'zod';
import { AgentRecord } from '../core/agent-record';
import { CannedResponse, LocaleTag, Place } from '../core/brand-config';
import {
  Assignee,
  ConversationState,
  InboundLogEntry,
  LastMessage,
  OriginRecord,
  OutboundLogEntry,
  type Conversation,
  type MessageLogEntry,
} from '../core/conversation';
import { CustomerMessageNotice, CustomerTypingNotice } from '../core/feed-notice';
import { isQueueNoticeId, queuedAtOf } from '../core/queue-notice';
import { withoutUndefined } from '../core/defined-fields';

/**
 * What the agent API answers, as schemas: the types the handler returns and the source of the
 * response schemas in `GET /openapi.json`. Only what a console needs, nothing internal (no bot
 * outcome keys, no routing snapshots, no delivery bookkeeping).
 */

const IsoTime = z.iso.datetime({ offset: true });

/** A conversation as the agent API shows it. */
export const ConversationView = z
  .object({
    id: z.string(),
    brandId: z.string(),
    /** The Business Messages agent, `brands/B/agents/A`. */
    agent: z.string(),
    state: ConversationState,
    assignee: Assignee.nullable(),
    locale: z.string().nullable(),
    /** The customer's display name, when Google gave one. */
    customerName: z.string().nullable(),
    /** Why it came to a human: `asked-for-human`, `live-agent-requested`, `bot-missed-N`. */
    handoffReason: z.string().nullable(),
    /** Where the conversation came from: entry point, place, locales. */
    origin: OriginRecord,
    /** The customer's newest message, shortened. */
    lastMessage: LastMessage.nullable(),
    /** When its current stay in the queue began (queued conversations only). */
    queuedAt: IsoTime.nullable(),
    /** When a claim, release or close last changed its state. */
    stateChangedAt: IsoTime.nullable(),
    lastUserMessageAt: IsoTime.nullable(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    version: z.number().int(),
  })
  .meta({ id: 'ConversationView' });
export type ConversationView = z.infer<typeof ConversationView>;

export function conversationView(c: Conversation): ConversationView {
  return {
    id: c.id,
    brandId: c.brandId,
    agent: c.agent,
    state: c.state,
    assignee: c.assignee,
    locale: c.locale,
    customerName: c.customerName,
    handoffReason: c.handoffReason,
    origin: c.origin,
    lastMessage: c.lastMessage,
    queuedAt: c.state === 'queued' ? queuedAtOf(c) : null,
    stateChangedAt: c.stateChangedAt,
    lastUserMessageAt: c.lastUserMessageAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    version: c.version,
  };
}

/** One line of the transcript: the customer's event, or one of our sends as the customer saw it. */
export const MessageView = z
  .discriminatedUnion('direction', [
    InboundLogEntry.pick({
      direction: true,
      key: true,
      kind: true,
      at: true,
      messageId: true,
      text: true,
      imageUrl: true,
      postbackData: true,
    }),
    OutboundLogEntry.pick({
      direction: true,
      key: true,
      kind: true,
      status: true,
      at: true,
      representativeType: true,
      representativeName: true,
      eventType: true,
      text: true,
      image: true,
      richCard: true,
      suggestions: true,
    }).extend({
      /** A queue notice ("someone is coming", the offline message): a note, not a bot answer. */
      queueNotice: z.literal(true).optional(),
    }),
  ])
  .meta({ id: 'MessageView' });
export type MessageView = z.infer<typeof MessageView>;

/** The log as agents read it, oldest first: the customer's events and our sends, not receipts. */
export function messageViews(entries: readonly MessageLogEntry[]): MessageView[] {
  return entries.flatMap((e): MessageView[] => {
    if (e.direction === 'inbound') {
      return [
        withoutUndefined({
          direction: 'inbound' as const,
          key: e.key,
          kind: e.kind,
          at: e.at,
          messageId: e.messageId,
          text: e.text,
          imageUrl: e.imageUrl,
          postbackData: e.postbackData,
        }),
      ];
    }
    if (e.kind === 'receipt') return [];
    return [
      withoutUndefined({
        direction: 'outbound' as const,
        key: e.key,
        kind: e.kind,
        status: e.status,
        at: e.at,
        queueNotice: e.kind === 'message' && isQueueNoticeId(e.key) ? (true as const) : undefined,
        representativeType: e.representativeType,
        representativeName: e.representativeName,
        eventType: e.eventType,
        text: e.text,
        image: e.image,
        richCard: e.richCard,
        suggestions: e.suggestions,
      }),
    ];
  });
}

/** A brand as its agents' console needs it: names, languages and canned responses. */
export const BrandView = z
  .object({
    brandId: z.string(),
    displayName: z.string(),
    defaultLocale: LocaleTag.nullable(),
    locales: z.array(LocaleTag),
    /** The brand's places by Google Place ID, so a conversation's entry shows a name. */
    places: z.record(z.string(), Place),
    cannedResponses: z.array(CannedResponse),
  })
  .meta({ id: 'BrandView' });
export type BrandView = z.infer<typeof BrandView>;

/** `GET /session`: who is signed in, how, until when, and the brands they serve. */
export const SessionView = z
  .object({
    agent: AgentRecord.pick({ agentId: true, email: true, displayName: true, brandIds: true }),
    /** `tokens`: the console's own sign-in; `iap`: Identity-Aware Proxy (no sign-in page). */
    auth: z.enum(['tokens', 'iap']),
    /** When the session cookie ends; null when no cookie of ours authenticates the agent. */
    expiresAt: IsoTime.nullable(),
    brands: z.array(BrandView),
  })
  .meta({ id: 'SessionView' });
export type SessionView = z.infer<typeof SessionView>;

/** The payloads of `GET /events`, by event name. */
export const StreamEvents = {
  'conversation.updated': z.object({ conversation: ConversationView }),
  'conversation.removed': z.object({ conversationId: z.string(), brandId: z.string() }),
  'customer.typing': CustomerTypingNotice.omit({ kind: true }),
  'customer.message': CustomerMessageNotice.omit({ kind: true }),
  ready: z.object({ brandIds: z.array(z.string()) }),
  reconnect: z.object({ afterMs: z.number().int() }),
  error: z.object({ code: z.string(), message: z.string() }),
} as const;
