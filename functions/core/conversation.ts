import * as z from 'zod';
import { EventType, Image, RichCard, Suggestion } from './business-messages-api';
import type { InboundEventKind, Origin } from './inbound-event';
import { withoutUndefined } from './defined-fields';

/**
 * The conversation as the pipeline keeps it, and its message log: the data model shared by the
 * classifier (which changes it for every inbound event), automation (bot outcomes), the
 * live-agent side (claims, releases, closes) and the sender (delivery status).
 *
 * Times are ISO 8601 strings in UTC with millisecond precision (`toISOString()`), so they
 * compare as strings; adapters store them as Firestore Timestamps. Everything here is pure.
 */

export const CONVERSATION_STATES = ['bot', 'queued', 'with_agent', 'closed'] as const;
export const ConversationState = z.enum(CONVERSATION_STATES);
export type ConversationState = z.infer<typeof ConversationState>;

const IsoTime = z.iso.datetime({ offset: true });

/** The human a conversation is assigned to (the live agent, not the Business Messages agent). */
export const Assignee = z.object({
  agentId: z.string().min(1),
  displayName: z.string().min(1),
  avatarUrl: z.string().optional(),
});
export type Assignee = z.infer<typeof Assignee>;

export const OriginRecord = z.object({
  entryPoint: z.string().optional(),
  placeId: z.string().optional(),
  nearPlaceId: z.string().optional(),
  resolvedLocale: z.string().optional(),
  userDeviceLocale: z.string().optional(),
  widgetUrl: z.string().optional(),
  customContext: z.string().optional(),
}) satisfies z.ZodType<Origin>;

/** One answered survey question; customer content (`responseText`, `feedback`) is never logged. */
export const SurveyAnswer = z.object({
  surveyId: z.string().min(1),
  questionId: z.string().optional(),
  questionIndex: z.number().int().nonnegative().optional(),
  totalQuestionCount: z.number().int().positive().optional(),
  rating: z.string().optional(),
  responseText: z.string().optional(),
  responsePostbackData: z.string().optional(),
  feedback: z.string().optional(),
  answeredAt: IsoTime,
});
export type SurveyAnswer = z.infer<typeof SurveyAnswer>;

/** How long the inbox preview of the customer's last message may be, in characters. */
export const PREVIEW_CHARS = 140;

/** The customer's newest message, shortened: what an agent's inbox shows. Content, never logged. */
export const LastMessage = z.object({
  kind: z.enum(['text', 'image', 'suggestion']),
  /** At most `PREVIEW_CHARS` characters, cut on a code point with an ellipsis. */
  text: z.string().optional(),
  at: IsoTime,
});
export type LastMessage = z.infer<typeof LastMessage>;

/** A bot outcome already counted, kept so a redelivered outcome is not counted twice. */
export const RecordedBotOutcome = z.object({
  key: z.string().min(1),
  matched: z.boolean(),
  at: IsoTime,
});
export type RecordedBotOutcome = z.infer<typeof RecordedBotOutcome>;

export const Conversation = z.object({
  /** Google's conversation ID (the document ID). */
  id: z.string().min(1),
  brandId: z.string().min(1),
  /** The Business Messages agent's ID, and its resource name `brands/B/agents/A`. */
  agentId: z.string().min(1),
  agent: z.string().min(1),
  state: ConversationState,
  assignee: Assignee.nullable(),
  /** `resolvedLocale`, else `userDeviceLocale`, of the newest event that carried one. */
  locale: z.string().nullable(),
  /** Entry point and place: from the first event that had one, replaced by newer ones that do. */
  origin: OriginRecord,
  /** When the event whose context (origin, locale) is kept happened: older ones don't replace it. */
  contextAt: IsoTime.nullable(),
  /** The customer's last message: the anchor of Google's 30-day send window. */
  lastUserMessageAt: IsoTime.nullable(),
  /** Consecutive messages the bot could not answer; reset by an answered one or a hand-over. */
  botMisses: z.number().int().nonnegative(),
  /** The latest bot outcomes counted (at most `RECENT_BOT_OUTCOMES`), newest last. */
  recentBotOutcomes: z.array(RecordedBotOutcome),
  surveyAnswers: z.array(SurveyAnswer),
  /**
   * When an operation outside the inbound flow (claim, release, close) last changed the state.
   * Inbound events that happened before it are stale: they cannot change the state back.
   */
  stateChangedAt: IsoTime.nullable(),
  /** When the conversation last entered the queue (queue wait = claim time − this). */
  queuedAt: IsoTime.nullable().default(null),
  /**
   * Why it last went to a human: the routing reason of that hand-over (`asked-for-human`,
   * `live-agent-requested`, `bot-missed-N`). Null before any hand-over, and for conversations
   * stored before this field existed.
   */
  handoffReason: z.string().nullable().default(null),
  /** The customer's display name as Google gave it, from the newest event naming one. Never logged. */
  customerName: z.string().nullable().default(null),
  /** The customer's newest message, for the agents' inbox. */
  lastMessage: LastMessage.nullable().default(null),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  /** Incremented by every write: one state change is one version. */
  version: z.number().int().nonnegative(),
});
export type Conversation = z.infer<typeof Conversation>;

/** What routed events carry about the conversation, after the event was applied. */
export const ConversationSnapshot = z.object({
  state: ConversationState,
  brandId: z.string().min(1),
  agent: z.string().min(1),
  locale: z.string().nullable(),
  origin: OriginRecord,
  botMisses: z.number().int().nonnegative(),
  assignee: Assignee.nullable(),
  lastUserMessageAt: IsoTime.nullable(),
});
export type ConversationSnapshot = z.infer<typeof ConversationSnapshot>;

// ---------------------------------------------------------------------------------------------
// Routing decisions, as recorded

export const ROUTES = ['automation', 'live-agent'] as const;
export const Route = z.enum(ROUTES);
export type Route = z.infer<typeof Route>;

/** Where an inbound event went, and why; `route: null` when it went nowhere. */
export const RoutingDecision = z.object({
  route: Route.nullable(),
  reason: z.string().min(1),
});
export type RoutingDecision = z.infer<typeof RoutingDecision>;

/**
 * Kept with the processed marker of every inbound event, so a redelivered event republishes
 * exactly what the first delivery decided (the first attempt may have committed, then failed
 * to publish).
 */
export const RecordedRouting = z.object({
  decision: RoutingDecision,
  conversation: ConversationSnapshot.nullable(),
  routedAt: IsoTime,
});
export type RecordedRouting = z.infer<typeof RecordedRouting>;

// ---------------------------------------------------------------------------------------------
// The message log: `conversations/{id}/messages/{key}`

export const DELIVERY_STATUSES = ['SENT', 'DELIVERED', 'READ', 'FAILED', 'EXPIRED'] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const OUTBOUND_KINDS = ['message', 'event', 'survey', 'receipt'] as const;
export const OutboundKind = z.enum(OUTBOUND_KINDS);
export type OutboundKind = z.infer<typeof OutboundKind>;

export const RepresentativeType = z.enum(['BOT', 'HUMAN']);
export type RepresentativeType = z.infer<typeof RepresentativeType>;

/** A customer's event; its key is the event's dedupe key, and its existence means "processed". */
export const InboundLogEntry = z.object({
  direction: z.literal('inbound'),
  key: z.string().min(1),
  kind: z.string().min(1) as z.ZodType<InboundEventKind>,
  dedupeKey: z.string().min(1),
  /** Google's message ID, for messages. */
  messageId: z.string().optional(),
  /** When it happened (the event's time, else when it was recorded): the log's order. */
  at: IsoTime,
  recordedAt: IsoTime,
  /** Customer content, for agents to read; never logged. */
  text: z.string().optional(),
  imageUrl: z.string().optional(),
  postbackData: z.string().optional(),
  routing: RecordedRouting,
});
export type InboundLogEntry = z.infer<typeof InboundLogEntry>;

/** One of our sends; its key is our message/event/survey ID. */
export const OutboundLogEntry = z.object({
  direction: z.literal('outbound'),
  key: z.string().min(1),
  /** Unknown while only a receipt has named the message. */
  kind: OutboundKind.optional(),
  status: DeliveryStatus,
  statusAt: IsoTime,
  /** When it was sent (the earliest time known for it): the log's order. */
  at: IsoTime,
  recordedAt: IsoTime,
  reason: z.string().optional(),
  representativeType: RepresentativeType.optional(),
  /** The name the customer saw beside it (the agent's or the bot's display name). */
  representativeName: z.string().optional(),
  /** Events: which one (REPRESENTATIVE_JOINED, REPRESENTATIVE_LEFT; typing is not logged). */
  eventType: EventType.optional(),
  /** A text message's text, or a rich message's fallback. */
  text: z.string().optional(),
  /** Rich content as sent, so agents read the transcript as the customer saw it. */
  image: Image.optional(),
  richCard: RichCard.optional(),
  suggestions: z.array(Suggestion).optional(),
  causedBy: z.string().optional(),
});
export type OutboundLogEntry = z.infer<typeof OutboundLogEntry>;

export const MessageLogEntry = z.discriminatedUnion('direction', [
  InboundLogEntry,
  OutboundLogEntry,
]);
export type MessageLogEntry = z.infer<typeof MessageLogEntry>;

/** The marker of an inbound event that logs no message (receipts, typing): `processed/{key}`. */
export const ProcessedMarker = z.object({
  key: z.string().min(1),
  kind: z.string().min(1) as z.ZodType<InboundEventKind>,
  recordedAt: IsoTime,
  routing: RecordedRouting,
});
export type ProcessedMarker = z.infer<typeof ProcessedMarker>;

// ---------------------------------------------------------------------------------------------
// Retention (Firestore TTL on the `expireAt` field)

export const MESSAGE_LOG_TTL_DAYS = 400;
export const PROCESSED_MARKER_TTL_DAYS = 30;
/** Redelivered bot outcomes older than this many outcomes are not recognised (see README). */
export const RECENT_BOT_OUTCOMES = 20;
/** Survey answers kept per conversation (the newest). */
export const MAX_SURVEY_ANSWERS = 50;

const DAY_MS = 24 * 60 * 60 * 1000;

/** `at` plus `days`, for `expireAt`. */
export const expiryAfter = (at: string, days: number): Date =>
  new Date(Date.parse(at) + days * DAY_MS);

// ---------------------------------------------------------------------------------------------
// Pure rules shared by every store adapter

/** Normalises any RFC 3339 time to `toISOString()` form; undefined when absent or invalid. */
export function isoTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function snapshotOf(conversation: Conversation): ConversationSnapshot {
  return canonicalSnapshot(conversation);
}

/**
 * The snapshot with its keys in one fixed order (stores may hand maps back sorted), so a
 * republished routed event is byte-identical to the first.
 */
export function canonicalSnapshot(s: ConversationSnapshot): ConversationSnapshot {
  return {
    state: s.state,
    brandId: s.brandId,
    agent: s.agent,
    locale: s.locale,
    origin: canonicalOrigin(s.origin),
    botMisses: s.botMisses,
    assignee: s.assignee
      ? {
          agentId: s.assignee.agentId,
          displayName: s.assignee.displayName,
          ...(s.assignee.avatarUrl !== undefined ? { avatarUrl: s.assignee.avatarUrl } : {}),
        }
      : null,
    lastUserMessageAt: s.lastUserMessageAt,
  };
}

const ORIGIN_KEYS = [
  'entryPoint',
  'placeId',
  'nearPlaceId',
  'resolvedLocale',
  'userDeviceLocale',
  'widgetUrl',
  'customContext',
] as const satisfies readonly (keyof Origin)[];

export function canonicalOrigin(origin: Origin): Origin {
  const out: Origin = {};
  for (const key of ORIGIN_KEYS) {
    const value = origin[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const STATUS_RANK: Record<DeliveryStatus, number> = {
  FAILED: 0,
  EXPIRED: 0,
  SENT: 1,
  DELIVERED: 2,
  READ: 3,
};

/** Whether `next` is further along than `current`: SENT → DELIVERED → READ; FAILED/EXPIRED lowest. */
export const advancesStatus = (current: DeliveryStatus, next: DeliveryStatus): boolean =>
  STATUS_RANK[next] > STATUS_RANK[current];

/** What is learnt about one of our sends: by the sender, or by a customer's receipt. */
export interface OutboundFact extends OutboundContent {
  key: string;
  status: DeliveryStatus;
  at: string;
  kind?: OutboundKind;
  reason?: string;
  causedBy?: string;
}

/** What a send showed the customer: recorded with its first status, for the transcript. */
export type OutboundContent = Partial<
  Pick<
    OutboundLogEntry,
    | 'representativeType'
    | 'representativeName'
    | 'eventType'
    | 'text'
    | 'image'
    | 'richCard'
    | 'suggestions'
  >
>;

/**
 * Merges a fact into a send's log entry. The status only moves forward by rank (a receipt that
 * arrived before the sender recorded SENT is not lowered by it); details missing from the entry
 * are filled in whatever the status. Returns `undefined` when nothing would change.
 */
export function mergeOutbound(
  existing: OutboundLogEntry | undefined,
  fact: OutboundFact,
  recordedAt: string,
): OutboundLogEntry | undefined {
  const details = withoutUndefined({
    kind: fact.kind,
    reason: fact.reason,
    representativeType: fact.representativeType,
    representativeName: fact.representativeName,
    eventType: fact.eventType,
    text: fact.text,
    image: fact.image,
    richCard: fact.richCard,
    suggestions: fact.suggestions,
    causedBy: fact.causedBy,
  });
  if (!existing) {
    return {
      direction: 'outbound',
      key: fact.key,
      ...details,
      status: fact.status,
      statusAt: fact.at,
      at: fact.at,
      recordedAt,
    };
  }
  const forward = advancesStatus(existing.status, fact.status);
  // Details of a lower status still fill gaps (SENT after READ brings the text); a reason
  // belongs to its status, so only a forward status brings one, and drops an earlier one.
  const { reason, ...gaps } = details;
  const next: OutboundLogEntry = {
    ...existing,
    ...Object.fromEntries(
      Object.entries(gaps).filter(([k]) => existing[k as keyof OutboundLogEntry] === undefined),
    ),
    at: fact.at < existing.at ? fact.at : existing.at,
  };
  if (forward) {
    next.status = fact.status;
    next.statusAt = fact.at;
    if (reason === undefined) delete next.reason;
    else next.reason = reason;
  }
  return sameJson(next, existing) ? undefined : next;
}

/** Firestore's limit on a query's disjunctions: brands × states of one list query. */
export const MAX_QUERY_DISJUNCTIONS = 30;

/**
 * Checks a list query the same way for every store: false when it cannot match anything (no
 * brand or no state), a RangeError when no store may run it.
 */
export function checkListQuery(query: {
  brandIds: readonly string[];
  states: readonly string[];
  limit: number;
}): boolean {
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${query.limit}`);
  }
  const disjunctions = query.brandIds.length * query.states.length;
  if (disjunctions > MAX_QUERY_DISJUNCTIONS) {
    throw new RangeError(
      `brands × states is ${disjunctions}, more than ${MAX_QUERY_DISJUNCTIONS}: split the query`,
    );
  }
  return disjunctions > 0;
}

/** The outcome of applying a bot outcome to a conversation. */
export type BotOutcomeApplied =
  | { status: 'recorded'; conversation: Conversation }
  | { status: 'duplicate' | 'ignored'; conversation: Conversation };

/**
 * Counts a bot outcome once per inbound event: a miss adds one to `botMisses`, a match resets
 * it. Only while the bot has the conversation (`bot`); otherwise it is ignored, so a late
 * outcome cannot count against a conversation a human has taken over.
 */
export function applyBotOutcome(
  conversation: Conversation,
  dedupeKey: string,
  matched: boolean,
  now: Date,
): BotOutcomeApplied {
  if (conversation.recentBotOutcomes.some((o) => o.key === dedupeKey)) {
    return { status: 'duplicate', conversation };
  }
  if (conversation.state !== 'bot') return { status: 'ignored', conversation };
  const at = now.toISOString();
  return {
    status: 'recorded',
    conversation: {
      ...conversation,
      botMisses: matched ? 0 : conversation.botMisses + 1,
      recentBotOutcomes: [...conversation.recentBotOutcomes, { key: dedupeKey, matched, at }].slice(
        -RECENT_BOT_OUTCOMES,
      ),
      updatedAt: at,
      version: conversation.version + 1,
    },
  };
}

/**
 * Completes a conversation an update function returned: identity and bookkeeping are the
 * store's, not the caller's. A state change made here stamps `stateChangedAt`, which makes
 * inbound events that happened earlier stale.
 */
export function finishUpdate(
  current: Conversation | null,
  next: Conversation,
  id: string,
  now: Date,
): Conversation {
  const at = now.toISOString();
  return {
    ...next,
    id,
    createdAt: current?.createdAt ?? next.createdAt,
    stateChangedAt:
      current === null || current.state !== next.state ? at : (current.stateChangedAt ?? null),
    updatedAt: at,
    version: (current?.version ?? 0) + 1,
  };
}

function sameJson(a: object, b: object): boolean {
  const sorted = (o: object) =>
    JSON.stringify(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return sorted(a) === sorted(b);
}
