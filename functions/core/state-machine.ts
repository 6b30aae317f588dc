import {
  MAX_SURVEY_ANSWERS,
  PREVIEW_CHARS,
  isoTime,
  mergeOutbound,
  snapshotOf,
  type Conversation,
  type ConversationState,
  type DeliveryStatus,
  type InboundLogEntry,
  type LastMessage,
  type MessageLogEntry,
  type OutboundLogEntry,
  type ProcessedMarker,
  type RecordedRouting,
  type Route,
  type RoutingDecision,
  type SurveyAnswer,
} from './conversation';
import type { InboundEvent, InboundEventKind } from './inbound-event';
import { route, type RoutingSettings } from './routing';

/**
 * The conversation's state machine: what one inbound event does to a conversation, as data.
 * Pure: the store runs it inside its transaction and writes what it returns; the classifier
 * publishes the route it decides.
 *
 * States: `bot` (automation answers), `queued` (waiting for a human), `with_agent` (a human has
 * claimed it), `closed`. Inbound events move `bot → queued` when routing hands the conversation
 * to a human, and `closed → bot` when the customer writes again; claims, releases and closes
 * are the live-agent side's (`ConversationStore.updateConversation`).
 *
 * Out of order is normal (redeliveries, retries): an older event never undoes a newer one.
 * `lastUserMessageAt` only grows; origin and locale are replaced only by a newer event's;
 * a survey answer only by a newer answer to the same question; an event older than the last
 * claim/release/close (`stateChangedAt`) cannot change the state.
 */

export type Effect =
  | { type: 'route'; to: Route; reason: string }
  | { type: 'ignore'; reason: string }
  | { type: 'state-change'; from: ConversationState | null; to: ConversationState }
  /** Create the inbound log entry; it is the event's processed marker. */
  | { type: 'log-inbound'; entry: InboundLogEntry }
  /** Create the processed marker of an event that logs no message. */
  | { type: 'mark-processed'; marker: ProcessedMarker }
  /** Move our messages' delivery status forward (never back: the store merges by rank). */
  | {
      type: 'update-receipts';
      receipts: { messageId: string; status: Extract<DeliveryStatus, 'DELIVERED' | 'READ'> }[];
      at: string;
    }
  | { type: 'store-survey'; answer: SurveyAnswer };

export interface Transition {
  /** The conversation after the event; null only when there was none and the event makes none. */
  conversation: Conversation | null;
  /** Whether `conversation` must be written. */
  changed: boolean;
  /** The decision, with the snapshot routed events carry: kept on the marker for redeliveries. */
  routing: RecordedRouting;
  effects: Effect[];
}

/** Receipts and typing log no message; their marker is a `processed` document. */
export const logsMessage = (kind: InboundEventKind): boolean =>
  kind !== 'receipts' && kind !== 'typing';

/** The customer's own messages: they move the 30-day send window (`lastUserMessageAt`). */
const CUSTOMER_MESSAGE = new Set<InboundEventKind>(['text', 'image', 'suggestion']);
/** What reopens a closed conversation: a message, or asking for a human. */
const REOPENS = new Set<InboundEventKind>(['text', 'image', 'suggestion', 'liveAgentRequest']);

export function transition(
  current: Conversation | null,
  event: InboundEvent,
  now: Date,
  settings: RoutingSettings,
): Transition {
  const nowIso = now.toISOString();
  const at = isoTime(event.occurredAt);
  const effects: Effect[] = [];

  if (!logsMessage(event.kind)) {
    // Receipts and typing: no conversation is created or changed for them.
    const decision = route(current, event, settings);
    const routing = recorded(decision, current, nowIso);
    effects.push(decisionEffect(decision));
    if (event.kind === 'receipts') {
      const receipts = event.receipts.flatMap((r) =>
        r.receiptType === 'RECEIPT_TYPE_UNSPECIFIED'
          ? []
          : [{ messageId: r.messageId, status: r.receiptType }],
      );
      if (receipts.length > 0) {
        effects.push({ type: 'update-receipts', receipts, at: at ?? nowIso });
      }
    }
    effects.push({
      type: 'mark-processed',
      marker: { key: event.dedupeKey, kind: event.kind, recordedAt: nowIso, routing },
    });
    return { conversation: current, changed: false, routing, effects };
  }

  let next: Conversation = withContext(current ?? opened(event, nowIso), event, at);
  if (CUSTOMER_MESSAGE.has(event.kind) && at !== undefined) {
    if (next.lastUserMessageAt === null || at > next.lastUserMessageAt) {
      next = { ...next, lastUserMessageAt: at };
    }
  }
  const preview = lastMessageOf(event, at ?? nowIso);
  if (preview && (next.lastMessage === null || preview.at >= next.lastMessage.at)) {
    next = { ...next, lastMessage: preview };
  }
  if (event.kind === 'survey') {
    const answer = surveyAnswer(event, at ?? nowIso);
    next = { ...next, surveyAnswers: withAnswer(next.surveyAnswers, answer) };
    effects.push({ type: 'store-survey', answer });
  }

  const stale = next.stateChangedAt !== null && at !== undefined && at < next.stateChangedAt;
  if (!stale && next.state === 'closed' && REOPENS.has(event.kind)) {
    next = { ...next, state: 'bot', assignee: null, botMisses: 0 };
  }
  const decision = route(next, event, settings, stale);
  if (decision.route === 'live-agent' && next.state === 'bot') {
    // Handed to a human: the bot's misses start again from zero when it gets it back.
    next = {
      ...next,
      state: 'queued',
      botMisses: 0,
      queuedAt: nowIso,
      handoffReason: decision.reason,
    };
  }

  const before = current?.state ?? null;
  if (before !== next.state) effects.push({ type: 'state-change', from: before, to: next.state });
  effects.push(decisionEffect(decision));

  const changed = current === null || !sameConversation(current, next);
  if (changed) next = { ...next, updatedAt: nowIso, version: (current?.version ?? 0) + 1 };
  const conversation = changed ? next : current;
  const routing = recorded(decision, conversation, nowIso);
  effects.push({ type: 'log-inbound', entry: logEntry(event, at ?? nowIso, nowIso, routing) });
  return { conversation, changed, routing, effects };
}

function opened(event: InboundEvent, nowIso: string): Conversation {
  return {
    id: event.conversationId,
    brandId: event.brandId,
    agentId: event.agentId,
    agent: event.agent,
    state: 'bot',
    assignee: null,
    locale: null,
    origin: {},
    contextAt: null,
    lastUserMessageAt: null,
    botMisses: 0,
    recentBotOutcomes: [],
    surveyAnswers: [],
    stateChangedAt: null,
    queuedAt: null,
    handoffReason: null,
    customerName: null,
    lastMessage: null,
    createdAt: nowIso,
    updatedAt: nowIso,
    version: 0,
  };
}

/**
 * Origin and locale from the event's context. The first context is kept; a later one replaces
 * it only if its event is newer than the kept one's, and the origin only when the event names
 * an entry point or a place (a receipt-like event without them says nothing about the origin).
 */
function withContext(conversation: Conversation, event: InboundEvent, at: string | undefined) {
  const origin = event.origin;
  const locale = origin.resolvedLocale ?? origin.userDeviceLocale;
  const newer =
    conversation.contextAt === null || (at !== undefined && at > conversation.contextAt);
  const name = event.userDisplayName;
  if (name !== undefined && name !== '' && (conversation.customerName === null || newer)) {
    conversation = { ...conversation, customerName: name };
  }
  const hasOrigin = Object.keys(origin).length > 0;
  if (!hasOrigin) return conversation;
  const placed =
    origin.entryPoint !== undefined ||
    origin.placeId !== undefined ||
    origin.nearPlaceId !== undefined;
  const noOriginYet = Object.keys(conversation.origin).length === 0;
  let next = conversation;
  if (noOriginYet || (newer && placed)) next = { ...next, origin: { ...origin } };
  if (locale !== undefined && (conversation.locale === null || newer)) next = { ...next, locale };
  if (next !== conversation && at !== undefined && (newer || conversation.contextAt === null)) {
    next = { ...next, contextAt: at };
  }
  return next;
}

/** The inbox preview of a customer's message; undefined for other events. */
function lastMessageOf(event: InboundEvent, at: string): LastMessage | undefined {
  switch (event.kind) {
    case 'text':
      return { kind: 'text', text: shorten(event.text), at };
    case 'image':
      return { kind: 'image', at };
    case 'suggestion':
      return event.text !== undefined
        ? { kind: 'suggestion', text: shorten(event.text), at }
        : { kind: 'suggestion', at };
    default:
      return undefined;
  }
}

/** At most `PREVIEW_CHARS` code points, whitespace collapsed, an ellipsis where it was cut. */
function shorten(text: string): string {
  const points = Array.from(text.replace(/\s+/g, ' ').trim());
  return points.length <= PREVIEW_CHARS
    ? points.join('')
    : `${points.slice(0, PREVIEW_CHARS - 1).join('')}…`;
}

function surveyAnswer(event: Extract<InboundEvent, { kind: 'survey' }>, at: string): SurveyAnswer {
  const answer: SurveyAnswer = { surveyId: event.surveyId, answeredAt: at };
  if (event.questionId !== undefined) answer.questionId = event.questionId;
  if (event.questionIndex !== undefined) answer.questionIndex = event.questionIndex;
  if (event.totalQuestionCount !== undefined) answer.totalQuestionCount = event.totalQuestionCount;
  if (event.rating !== undefined) answer.rating = event.rating;
  if (event.responseText !== undefined) answer.responseText = event.responseText;
  if (event.responsePostbackData !== undefined) {
    answer.responsePostbackData = event.responsePostbackData;
  }
  if (event.feedback !== undefined) answer.feedback = event.feedback;
  return answer;
}

/** One answer per survey question; a newer answer replaces an older one, never the reverse. */
function withAnswer(answers: SurveyAnswer[], answer: SurveyAnswer): SurveyAnswer[] {
  const question = (a: SurveyAnswer) =>
    `${a.surveyId}\u0000${a.questionId ?? ''}\u0000${a.questionIndex ?? ''}`;
  const existing = answers.find((a) => question(a) === question(answer));
  if (existing && existing.answeredAt > answer.answeredAt) return answers;
  return [...answers.filter((a) => a !== existing), answer].slice(-MAX_SURVEY_ANSWERS);
}

function logEntry(
  event: InboundEvent,
  at: string,
  recordedAt: string,
  routing: RecordedRouting,
): InboundLogEntry {
  const entry: InboundLogEntry = {
    direction: 'inbound',
    key: event.dedupeKey,
    kind: event.kind,
    dedupeKey: event.dedupeKey,
    at,
    recordedAt,
    routing,
  };
  if (event.kind === 'text' || event.kind === 'image') entry.messageId = event.messageId;
  if (event.kind === 'text') entry.text = event.text;
  if (event.kind === 'image') entry.imageUrl = event.imageUrl;
  if (event.kind === 'suggestion') {
    if (event.text !== undefined) entry.text = event.text;
    entry.postbackData = event.postbackData;
  }
  return entry;
}

function recorded(
  decision: RoutingDecision,
  conversation: Conversation | null,
  routedAt: string,
): RecordedRouting {
  return {
    decision,
    conversation: conversation ? snapshotOf(conversation) : null,
    routedAt,
  };
}

const decisionEffect = (decision: RoutingDecision): Effect =>
  decision.route === null
    ? { type: 'ignore', reason: decision.reason }
    : { type: 'route', to: decision.route, reason: decision.reason };

function sameConversation(a: Conversation, b: Conversation): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) =>
            x < y ? -1 : x > y ? 1 : 0,
          ),
        )
      : v,
  );
}

/** Our messages a transition's receipts name: the store reads them before merging. */
export function receiptTargets(result: Transition): string[] {
  return result.effects.flatMap((e) =>
    e.type === 'update-receipts' ? e.receipts.map((r) => r.messageId) : [],
  );
}

/**
 * The log entries a transition's receipts produce, merged into what the store holds (status
 * only moves forward); entries that would not change are left out.
 */
export function receiptWrites(
  result: Transition,
  existing: ReadonlyMap<string, MessageLogEntry>,
): OutboundLogEntry[] {
  const writes = new Map<string, OutboundLogEntry>();
  for (const effect of result.effects) {
    if (effect.type !== 'update-receipts') continue;
    for (const receipt of effect.receipts) {
      const held = writes.get(receipt.messageId) ?? existing.get(receipt.messageId);
      // A key that names a customer's message is not one of ours: nothing to update.
      if (held?.direction === 'inbound') continue;
      const merged = mergeOutbound(
        held,
        { key: receipt.messageId, status: receipt.status, at: effect.at },
        result.routing.routedAt,
      );
      if (merged) writes.set(receipt.messageId, merged);
    }
  }
  return [...writes.values()];
}
