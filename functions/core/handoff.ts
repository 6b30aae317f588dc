import { assigneeOf, humanRepresentative, servesBrand, type AgentRecord } from './agent-record';
import { botLocale, botRepresentative } from './bot-replies';
import type { BotReply, BrandConfig } from './brand-config';
import { fillPlaceholders } from './brand-config';
import { BM_LIMITS, Message, describeIssues, type Suggestion } from './business-messages-api';
import { isOpen } from './business-hours';
import type { Assignee, Conversation, ConversationState, MessageLogEntry } from './conversation';
import { API_ID, InvalidIdError } from './deterministic-ids';
import { PermanentFailure } from './failure';
import type { Digest, InboundEvent } from './inbound-event';
import { describeReturn, nextOpening } from './next-opening';
import type {
  OutboundCommand,
  SendEventCommand,
  SendMessageCommand,
  SendReceiptCommand,
  SendSurveyCommand,
} from './outbound-command';
import { capAttributeValues } from './utf8';

/**
 * The handoff between the bot and live agents (business-messages.md §3), as pure rules:
 *
 * - queueing: what the customer is told, once per queueing, when the conversation waits for a
 *   human (someone is coming; or, outside human hours, the brand's offline message with when
 *   humans are back, and perhaps back to the bot);
 * - the agent's operations as conversation updates (claim, release, close), each refusing what
 *   the agent may not do;
 * - the commands the customer receives, every ID derived from what caused it, so a retried
 *   request or a redelivered event publishes the same IDs and the sender's ALREADY_EXISTS makes
 *   it land once.
 */

/** Namespaces of derived IDs: never equal to the bot's (`automation`). */
export const LIVE_AGENT_ID_NAMESPACE = 'live-agent';
export const AGENT_API_ID_NAMESPACE = 'agent-api';

/** Longest digest part kept, leaving room for a suffix within the API's 64 characters. */
const MAX_BASE = 48;

/** An API ID (≤ 64 of `[A-Za-z0-9-]`) fixed by `seed`: the same seed, the same ID. */
export function derivedId(namespace: string, seed: string, suffix: string, digest: Digest): string {
  const base = digest(`${namespace}:${seed}`)
    .replace(/[^A-Za-z0-9-]/g, '')
    .slice(0, MAX_BASE);
  const id = `${base}-${suffix}`;
  if (base === '' || !API_ID.test(id)) throw new InvalidIdError(id);
  return id;
}

// ---------------------------------------------------------------------------------------------
// Queueing

/** The last part of each queue notice's message ID (`decideQueueNotice`). */
const QUEUE_NOTICE_SUFFIXES = ['coming', 'offline', 'back'] as const;

/** Whether a message ID is one of a queue notice's: transcripts show those as notes. */
export const isQueueNoticeId = (messageId: string): boolean =>
  QUEUE_NOTICE_SUFFIXES.some((suffix) => messageId.endsWith(`-${suffix}`));

/**
 * When the conversation's current stay in the queue began, for people: the model's `queuedAt`
 * when it has one, else its last state change by an operation, else its creation.
 */
export function queuedAtOf(conversation: Conversation): string {
  return recordedQueuedAt(conversation) ?? conversation.stateChangedAt ?? conversation.createdAt;
}

/**
 * What tells one stay in the queue from the next, for IDs: the model's `queuedAt` when it has
 * one; otherwise the conversation's last state change by an operation (`stateChangedAt`, or
 * none yet). Every way out of `queued` (claim, close, return to the bot) is such an operation,
 * so this value is the same for the whole of one stay and different for the next.
 */
export function queueKeyOf(conversation: Conversation): string {
  const recorded = recordedQueuedAt(conversation);
  if (recorded !== undefined) return `queued:${recorded}`;
  return `changed:${conversation.stateChangedAt ?? 'never'}`;
}

/** `queuedAt`, if the conversation model records it. */
function recordedQueuedAt(conversation: Conversation): string | undefined {
  const recorded = (conversation as { queuedAt?: unknown }).queuedAt;
  return typeof recorded === 'string' && recorded !== '' ? recorded : undefined;
}

/** "Someone is coming", per language; English for a language without a sentence here. */
const COMING = {
  en: 'Thanks for your patience: a member of our team will be with you shortly.',
  fr: 'Merci de votre patience : un membre de notre équipe va vous répondre très vite.',
  es: 'Gracias por su paciencia: una persona de nuestro equipo le atenderá en breve.',
  de: 'Danke für Ihre Geduld: Jemand aus unserem Team ist gleich für Sie da.',
  it: 'Grazie per la pazienza: una persona del nostro team le risponderà a breve.',
  nl: 'Bedankt voor uw geduld: iemand van ons team helpt u zo.',
  pt: 'Obrigado pela sua paciência: alguém da nossa equipa vai atendê-lo em breve.',
} as const satisfies Record<string, string>;
const comingIn = (language: string): string =>
  (COMING as Record<string, string | undefined>)[language] ?? COMING.en;

const languageOf = (locale: string): string =>
  locale.trim().replace(/_/g, '-').toLowerCase().split('-')[0] ?? '';

export interface QueueNoticeInput {
  brand: BrandConfig;
  /** The conversation as stored now; the notice is for its current stay in the queue. */
  conversation: Conversation;
  /** The routed event that found the conversation queued: its locale, and what caused the send. */
  event: InboundEvent;
  /** When the event was routed: human hours are judged then, so a redelivery decides the same. */
  at: Date;
  digest: Digest;
}

export interface QueueNotice {
  /** When this stay in the queue began (see `queuedAtOf`). */
  queuedAt: string;
  /** What tells this stay in the queue from others (see `queueKeyOf`). */
  queueKey: string;
  /** Whether human hours are open at `at`. */
  humansAvailable: boolean;
  locale: string;
  /** When humans are back (outside human hours), if the schedule ever opens. */
  nextOpening?: string;
  /** Outside human hours, the brand hands the conversation back to the bot. */
  returnToBot: boolean;
  /** The messages, in order: their IDs come from (conversation, queuedAt). */
  outbound: SendMessageCommand[];
}

/** A notice that cannot be sent as configured (a limit broken once filled in): permanent. */
export class HandoffMessageError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'HandoffMessageError';
  }
}

/**
 * What the customer is told while the conversation waits for a human. Inside human hours:
 * someone is coming. Outside: the brand's offline message and when humans are back (the next
 * opening, in the brand's time zone, worded for the customer's locale) and, if the brand says
 * so, the conversation goes back to the bot. The same queueing always yields the same IDs; the
 * in-hours and offline notices have different ones, so a customer still waiting when the team
 * goes home hears about it too.
 */
export function decideQueueNotice(input: QueueNoticeInput): QueueNotice {
  const { brand, conversation, event, at, digest } = input;
  const queuedAt = queuedAtOf(conversation);
  const queueKey = queueKeyOf(conversation);
  const locale = botLocale(brand, event, {
    isNew: false,
    origin: conversation.origin,
    ...(conversation.locale !== null ? { locale: conversation.locale } : {}),
  });
  const seed = `queue:${conversation.id}:${queueKey}`;
  const id = (suffix: string) => derivedId(LIVE_AGENT_ID_NAMESPACE, seed, suffix, digest);
  const representative = botRepresentative(brand);
  const common = {
    conversationId: conversation.id,
    brandId: conversation.brandId,
    agent: conversation.agent,
    causedBy: event.dedupeKey,
    createdAt: at.toISOString(),
  };
  const command = (messageId: string, reply: BotReply): SendMessageCommand => {
    const message = { messageId, representative, ...reply };
    const checked = Message.safeParse(message);
    if (!checked.success) {
      throw new HandoffMessageError(
        `brand ${brand.brandId}: queue notice is not sendable: ${describeIssues(checked.error)}`,
      );
    }
    return { type: 'message', ...common, message: checked.data };
  };

  const human = brand.hours.human;
  if (isOpen(human, at)) {
    const text = comingIn(languageOf(locale));
    return {
      queuedAt,
      queueKey,
      humansAvailable: true,
      locale,
      returnToBot: false,
      outbound: [command(id('coming'), { text })],
    };
  }

  const opening = nextOpening(human, at);
  const offline = fillPlaceholders(
    human.offlineMessage[locale] ?? pickDefault(brand, human.offlineMessage),
    placeholderValues(brand, conversation, locale),
  );
  const back = opening ? describeReturn(opening, human.timeZone, locale) : undefined;
  const merged = back === undefined ? offline : withSentence(offline, back);
  const outbound =
    back === undefined || merged !== undefined
      ? [command(id('offline'), merged ?? offline)]
      : // Too long to add to, or not a text: the date first, the brand's message (and its
        // chips, which show only on the latest message) last.
        [command(id('back'), { text: back }), command(id('offline'), offline)];
  return {
    queuedAt,
    queueKey,
    humansAvailable: false,
    locale,
    ...(opening ? { nextOpening: opening.toISOString() } : {}),
    returnToBot: human.returnToBotWhenOffline,
    outbound,
  };
}

function pickDefault(brand: BrandConfig, replies: Record<string, BotReply>): BotReply {
  const reply = replies[brand.defaultLocale] ?? Object.values(replies)[0];
  if (!reply) throw new HandoffMessageError(`brand ${brand.brandId} has no offline message`);
  return reply;
}

/** The reply with `sentence` as a last paragraph, if it is a text and stays within limits. */
function withSentence(reply: BotReply, sentence: string): BotReply | undefined {
  if (reply.text === undefined) return undefined;
  const text = `${reply.text}\n\n${sentence}`;
  if (text.length > BM_LIMITS.textChars) return undefined;
  if (reply.fallback === undefined) return { ...reply, text };
  const fallback = `${reply.fallback}\n\n${sentence}`;
  return fallback.length > BM_LIMITS.fallbackChars ? undefined : { ...reply, text, fallback };
}

function placeholderValues(brand: BrandConfig, conversation: Conversation, locale: string) {
  const placeId = conversation.origin.placeId ?? conversation.origin.nearPlaceId;
  const place = placeId === undefined ? undefined : brand.places?.[placeId];
  return {
    brandName: brand.displayName,
    placeName: place?.name[locale] ?? place?.name[brand.defaultLocale] ?? brand.displayName,
  };
}

// ---------------------------------------------------------------------------------------------
// The agent's operations, as conversation updates

export type HandoffRefusalCode = 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT' | 'ALREADY_DONE';

/** Why an operation is refused; the shape of the store's `Rejection`. */
export interface HandoffRefusal {
  rejected: true;
  code: HandoffRefusalCode;
  message: string;
}

const refuse = (code: HandoffRefusalCode, message: string): HandoffRefusal => ({
  rejected: true,
  code,
  message,
});

export const isHandoffRefusal = (value: unknown): value is HandoffRefusal =>
  typeof value === 'object' && value !== null && (value as HandoffRefusal).rejected === true;

/** Another brand's conversation is "not found": its existence is not revealed. */
const notFound = () => refuse('NOT_FOUND', 'conversation not found');

/** Whether `agent` may see the conversation at all. */
export const canSee = (agent: AgentRecord, conversation: Conversation | null): boolean =>
  conversation !== null && servesBrand(agent, conversation.brandId);

const holds = (agent: AgentRecord, conversation: Conversation): boolean =>
  conversation.state === 'with_agent' && conversation.assignee?.agentId === agent.agentId;

/** The assignment's name in refusals: agents of one brand may know who holds a conversation. */
const holder = (assignee: Assignee | null): string => assignee?.displayName ?? 'another agent';

/**
 * Claims a queued conversation. Of concurrent claims the store runs one after the other, so the
 * first turns it `with_agent` and every later one is refused (CONFLICT); the holder's own
 * repeated claim is `ALREADY_DONE`.
 */
export function claimConversation(
  current: Conversation | null,
  agent: AgentRecord,
): Conversation | HandoffRefusal {
  if (current === null || !canSee(agent, current)) return notFound();
  if (holds(agent, current)) return refuse('ALREADY_DONE', 'you already hold this conversation');
  if (current.state === 'with_agent') {
    return refuse('CONFLICT', `${holder(current.assignee)} already holds this conversation`);
  }
  if (current.state !== 'queued') {
    return refuse('CONFLICT', `the conversation is ${current.state}, not waiting for an agent`);
  }
  return { ...current, state: 'with_agent', assignee: assigneeOf(agent), botMisses: 0 };
}

/**
 * What the agent's operation was decided on: it applies only if the conversation is still in
 * that state since that moment, so a stale request never undoes a newer change.
 */
export interface Seen {
  state: ConversationState;
  stateChangedAt: string | null;
}

export const seenOf = (c: Conversation): Seen => ({
  state: c.state,
  stateChangedAt: c.stateChangedAt,
});

const unchanged = (c: Conversation, seen: Seen): boolean =>
  c.state === seen.state && c.stateChangedAt === seen.stateChangedAt;

/** May `agent` release the conversation (LEFT, back to the bot)? Undefined when so. */
export function releaseRefusal(
  current: Conversation | null,
  agent: AgentRecord,
): HandoffRefusal | undefined {
  if (current === null || !canSee(agent, current)) return notFound();
  if (current.state !== 'with_agent') {
    return refuse('CONFLICT', `the conversation is ${current.state}: no agent holds it`);
  }
  if (!holds(agent, current)) {
    return refuse('FORBIDDEN', `${holder(current.assignee)} holds this conversation`);
  }
  return undefined;
}

/** The release: back to the bot, assignee cleared, the bot's misses counted afresh. */
export function releaseConversation(
  current: Conversation | null,
  agent: AgentRecord,
  seen: Seen,
): Conversation | HandoffRefusal {
  const refusal = releaseRefusal(current, agent);
  if (refusal || current === null) return refusal ?? notFound();
  if (!unchanged(current, seen)) return refuse('CONFLICT', 'the conversation changed meanwhile');
  return { ...current, state: 'bot', assignee: null, botMisses: 0 };
}

/**
 * May `agent` close the conversation? Any agent of the brand may close one no human holds (a
 * queued one, say); a held one only its holder. Closing a closed one is `ALREADY_DONE`.
 */
export function closeRefusal(
  current: Conversation | null,
  agent: AgentRecord,
): HandoffRefusal | undefined {
  if (current === null || !canSee(agent, current)) return notFound();
  if (current.state === 'closed') return refuse('ALREADY_DONE', 'the conversation is closed');
  if (current.state === 'with_agent' && !holds(agent, current)) {
    return refuse('FORBIDDEN', `${holder(current.assignee)} holds this conversation`);
  }
  return undefined;
}

export function closeConversation(
  current: Conversation | null,
  agent: AgentRecord,
  seen: Seen,
): Conversation | HandoffRefusal {
  const refusal = closeRefusal(current, agent);
  if (refusal || current === null) return refusal ?? notFound();
  if (!unchanged(current, seen)) return refuse('CONFLICT', 'the conversation changed meanwhile');
  return { ...current, state: 'closed', assignee: null };
}

/**
 * Outside human hours, for brands that want it: the queued conversation goes back to the bot.
 * Only the stay in the queue that was announced (`queueKey`): a later one is left alone.
 */
export function returnToBot(
  current: Conversation | null,
  queueKey: string,
): Conversation | HandoffRefusal {
  if (current === null) return notFound();
  if (current.state !== 'queued' || queueKeyOf(current) !== queueKey) {
    return refuse('ALREADY_DONE', 'the conversation left the queue meanwhile');
  }
  return { ...current, state: 'bot', assignee: null, botMisses: 0 };
}

// ---------------------------------------------------------------------------------------------
// What the agent API sends

interface CommandContext {
  /** What caused the send, e.g. `agent-api:claim:alex`. */
  causedBy: string;
  createdAt: string;
  digest: Digest;
}

const commonOf = (conversation: Conversation, ctx: CommandContext) => ({
  conversationId: conversation.id,
  brandId: conversation.brandId,
  agent: conversation.agent,
  causedBy: ctx.causedBy,
  createdAt: ctx.createdAt,
});

/**
 * The seed of one assignment's JOINED and LEFT: the conversation and when it was claimed
 * (`stateChangedAt` stays put while it is `with_agent`).
 */
const assignmentSeed = (c: Conversation): string =>
  `assignment:${c.id}:${c.stateChangedAt ?? c.createdAt}`;

function representativeEvent(
  conversation: Conversation,
  eventType: 'REPRESENTATIVE_JOINED' | 'REPRESENTATIVE_LEFT',
  ctx: CommandContext,
): SendEventCommand {
  const assignee = conversation.assignee;
  if (conversation.state !== 'with_agent' || assignee === null) {
    // The same conversation would be refused on every retry: permanent, never retried.
    throw new PermanentFailure(`${eventType} needs a conversation held by an agent`);
  }
  const suffix = eventType === 'REPRESENTATIVE_JOINED' ? 'joined' : 'left';
  return {
    type: 'event',
    ...commonOf(conversation, ctx),
    eventId: derivedId(AGENT_API_ID_NAMESPACE, assignmentSeed(conversation), suffix, ctx.digest),
    event: { eventType, representative: humanRepresentative(assignee) },
  };
}

/** REPRESENTATIVE_JOINED of the conversation's current assignment (it is `with_agent`). */
export const joinedCommand = (conversation: Conversation, ctx: CommandContext) =>
  representativeEvent(conversation, 'REPRESENTATIVE_JOINED', ctx);

/** REPRESENTATIVE_LEFT of the conversation's current assignment (before it ends). */
export const leftCommand = (conversation: Conversation, ctx: CommandContext) =>
  representativeEvent(conversation, 'REPRESENTATIVE_LEFT', ctx);

export interface HumanMessageInput {
  text: string;
  suggestions?: Suggestion[];
  /** What makes this send this send: the same key, the same message ID. */
  idempotencyKey: string;
}

export type HumanMessageResult =
  { ok: true; command: SendMessageCommand } | { ok: false; problems: string };

/** A live agent's message, checked against the Business Messages limits. */
export function humanMessageCommand(
  conversation: Conversation,
  agent: AgentRecord,
  input: HumanMessageInput,
  ctx: CommandContext,
): HumanMessageResult {
  const messageId = derivedId(
    AGENT_API_ID_NAMESPACE,
    `message:${conversation.id}:${agent.agentId}:${input.idempotencyKey}`,
    'h',
    ctx.digest,
  );
  const checked = Message.safeParse({
    messageId,
    representative: humanRepresentative(assigneeOf(agent)),
    text: input.text,
    ...(input.suggestions !== undefined ? { suggestions: input.suggestions } : {}),
  });
  if (!checked.success) return { ok: false, problems: describeIssues(checked.error) };
  return {
    ok: true,
    command: { type: 'message', ...commonOf(conversation, ctx), message: checked.data },
  };
}

/** TYPING_STARTED/STOPPED from the agent; `key` tells one indicator from the next. */
export function typingCommand(
  conversation: Conversation,
  agent: AgentRecord,
  isTyping: boolean,
  key: string,
  ctx: CommandContext,
): SendEventCommand {
  const eventType = isTyping ? 'TYPING_STARTED' : 'TYPING_STOPPED';
  return {
    type: 'event',
    ...commonOf(conversation, ctx),
    eventId: derivedId(
      AGENT_API_ID_NAMESPACE,
      `typing:${conversation.id}:${agent.agentId}:${eventType}:${key}`,
      isTyping ? 'ts' : 'te',
      ctx.digest,
    ),
    event: { eventType, representative: humanRepresentative(assigneeOf(agent)) },
  };
}

/** The survey of a close: one per closing of the conversation (`seen` before it). */
export function surveyCommand(
  conversation: Conversation,
  seen: Seen,
  ctx: CommandContext,
): SendSurveyCommand {
  return {
    type: 'survey',
    ...commonOf(conversation, ctx),
    surveyId: derivedId(
      AGENT_API_ID_NAMESPACE,
      `close:${conversation.id}:${seen.state}:${seen.stateChangedAt ?? 'never'}`,
      'survey',
      ctx.digest,
    ),
  };
}

/** The receipt's key in the message log (the sender records it under `receipt-<messageId>`). */
export const receiptLogKey = (messageId: string): string => `receipt-${messageId}`;

/**
 * READ receipts for the customer's messages in `entries` not yet marked read: those without a
 * recorded receipt. (A receipt published but not yet recorded is published again: the API's
 * update is idempotent.)
 */
export function readReceiptCommands(
  conversation: Conversation,
  entries: readonly MessageLogEntry[],
  ctx: Omit<CommandContext, 'digest'>,
): SendReceiptCommand[] {
  const recorded = new Set(entries.filter((e) => e.direction === 'outbound').map((e) => e.key));
  const unread = entries.flatMap((e) =>
    e.direction === 'inbound' &&
    e.messageId !== undefined &&
    !recorded.has(receiptLogKey(e.messageId))
      ? [e.messageId]
      : [],
  );
  return [...new Set(unread)].map((messageId) => ({
    type: 'receipt',
    conversationId: conversation.id,
    brandId: conversation.brandId,
    agent: conversation.agent,
    causedBy: ctx.causedBy,
    createdAt: ctx.createdAt,
    messageId,
    receiptType: 'READ',
  }));
}

// ---------------------------------------------------------------------------------------------
// On the `outbound` topic

/** An `outbound` message (structurally the event bus's `OutgoingMessage`). */
export interface OutboundBusMessage {
  data: string;
  attributes: Record<string, string>;
  orderingKey: string;
}

/**
 * A command as published: ordered by conversation, with the attributes subscriptions filter on
 * (`brand`, and `dedicated` for brands with their own sender, see infra/brand.sh). Values are
 * cut to Pub/Sub's 1024 bytes (`causedBy` may be long): an over-long one fails the publish for
 * good. The data keeps them whole.
 */
export function outboundBusMessage(
  command: OutboundCommand,
  options: { traceId: string; dedicated: boolean },
): OutboundBusMessage {
  return {
    data: JSON.stringify(command),
    attributes: capAttributeValues({
      brand: command.brandId,
      conversation: command.conversationId,
      type: command.type,
      causedBy: command.causedBy,
      traceId: options.traceId,
      ...(options.dedicated ? { dedicated: 'true' } : {}),
    }),
    orderingKey: command.conversationId,
  };
}
