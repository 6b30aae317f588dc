import type { Representative } from './business-messages-api';
import { Message } from './business-messages-api';
import type {
  AuthFailureCategory,
  BotReply,
  BrandConfig,
  Localized,
  PlaceholderValues,
  QueueSettings,
} from './brand-config';
import { fillPlaceholders, intentOfPostback } from './brand-config';
import { isOpen } from './business-hours';
import type { MessageLogEntry } from './conversation';
import { replyIds, type IdNamespace } from './deterministic-ids';
import type { Digest, InboundEvent, Origin } from './inbound-event';
import type { IntentMatch } from './keyword-matcher';
import { chooseLocale } from './locale';
import type { OutboundCommand, SendEventCommand, SendMessageCommand } from './outbound-command';
import { describeIssues } from './validation-problems';

/**
 * What the bot answers to one routed event, decided without I/O: the outbound commands (the
 * messages, with typing indicators around them only for a brand that asks for them, all with
 * IDs derived from the event's dedupe key) and whether the event counts as a bot hit or miss
 * for the classifier's handoff threshold.
 *
 * Matching free text is a port (a Dialogflow agent may replace the keyword matcher), so it
 * happens in two steps: `botQuery` says what, if anything, to ask the matcher; the handler asks;
 * `decideBotReply` takes the answer in `turn.match`.
 */

/** The bot's view of the conversation the event belongs to. */
export interface BotConversation {
  /** This event opened the conversation: the bot greets first. */
  isNew: boolean;
  /** The locale the conversation settled on earlier, if any. */
  locale?: string;
  /** Where the conversation came from (the first event's context); events may lack a context. */
  origin?: Origin;
}

/** `matched` resets the conversation's miss count, `missed` adds one, `none` leaves it. */
export type BotOutcome = 'matched' | 'missed' | 'none';

export type BotReason =
  | 'intent'
  | 'greeting'
  | 'fallback'
  | 'offline'
  | 'image'
  | 'authentication_succeeded'
  | 'authentication_failed'
  | 'dialogflow_answered'
  | 'action_chip'
  | 'not_for_bot';

export interface BotTurn {
  /** The matcher's answer to `botQuery`; undefined when there was no query or no match. */
  match: IntentMatch | undefined;
  digest: Digest;
  /** The routed event's `routedAt`, not the clock: a redelivery must give identical commands. */
  createdAt: string;
  /**
   * The customer's last message as the routed event's conversation has it, carried on every
   * command so the sender checks the 30-day window without reading the conversation.
   */
  lastUserMessageAt?: string | null;
}

export interface BotDecision {
  outbound: OutboundCommand[];
  outcome: BotOutcome;
  reason: BotReason;
  locale: string;
  intentId?: string;
}

/** A reply that cannot be sent as configured (placeholders broke a limit, a locale is missing). */
export class BotReplyError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'BotReplyError';
  }
}

/** Namespace of the bot's derived IDs (see deterministic-ids). */
export const BOT_ID_NAMESPACE: IdNamespace = 'automation';

// ---------------------------------------------------------------------------------------------

type Plan =
  | { step: 'silent'; reason: 'dialogflow_answered' | 'action_chip' | 'not_for_bot' }
  | { step: 'offline' }
  | { step: 'intent'; intentId: string }
  | { step: 'match'; text: string }
  | { step: 'image' }
  | { step: 'authentication'; failure?: AuthFailureCategory };

function planFor(brand: BrandConfig, event: InboundEvent, now: Date): Plan {
  // Google's Dialogflow integration already answered the customer; a second answer would be noise.
  if (event.dialogflow?.autoResponded) return { step: 'silent', reason: 'dialogflow_answered' };
  const answerable =
    event.kind === 'text' ||
    event.kind === 'suggestion' ||
    event.kind === 'image' ||
    event.kind === 'authentication';
  if (!answerable) return { step: 'silent', reason: 'not_for_bot' };
  if (!isOpen(brand.hours.bot, now)) return { step: 'offline' };

  switch (event.kind) {
    case 'text':
      return { step: 'match', text: event.text };
    case 'suggestion': {
      const target = intentOfPostback(event.postbackData);
      if (target !== undefined && brand.intents.some((i) => i.id === target)) {
        return { step: 'intent', intentId: target };
      }
      // An action chip (open URL, dial) did its work on the device; nothing to answer.
      if (event.suggestionType === 'ACTION') return { step: 'silent', reason: 'action_chip' };
      return { step: 'match', text: event.text ?? event.postbackData };
    }
    case 'image':
      return { step: 'image' };
    case 'authentication':
      return event.code && !event.error
        ? { step: 'authentication' }
        : { step: 'authentication', failure: authFailureCategory(event.error) };
  }
}

/** Google's OAuth error codes (`Error` enum), grouped into what the customer is told. */
export function authFailureCategory(error: string | undefined): AuthFailureCategory {
  switch (error) {
    case 'ACCESS_DENIED':
      return 'declined';
    case 'SERVER_ERROR':
    case 'TEMPORARILY_UNAVAILABLE':
      return 'unavailable';
    case 'INVALID_REQUEST':
    case 'UNAUTHORIZED_CLIENT':
    case 'UNSUPPORTED_RESPONSE_TYPE':
    case 'INVALID_SCOPE':
      return 'configuration';
    default:
      return 'unknown';
  }
}

const originOf = (event: InboundEvent, conversation: BotConversation): Origin => ({
  ...conversation.origin,
  ...event.origin,
});

/** The brand locale to answer in: resolvedLocale, device locale, conversation, brand default. */
export function botLocale(
  // Only what it reads: the queue notice calls it with the queue settings (`QueueSettings`).
  brand: Pick<QueueSettings, 'locales' | 'defaultLocale'>,
  event: InboundEvent,
  conversation: BotConversation,
): string {
  return chooseLocale(
    brand.locales,
    [
      event.origin.resolvedLocale,
      event.origin.userDeviceLocale,
      conversation.origin?.resolvedLocale,
      conversation.origin?.userDeviceLocale,
      conversation.locale,
    ],
    brand.defaultLocale,
  );
}

/** What to ask the intent matcher for this event, if anything. */
export function botQuery(
  brand: BrandConfig,
  event: InboundEvent,
  conversation: BotConversation,
  now: Date,
): { text: string; locale: string } | undefined {
  const plan = planFor(brand, event, now);
  return plan.step === 'match'
    ? { text: plan.text, locale: botLocale(brand, event, conversation) }
    : undefined;
}

/** Whether the bot sends anything for `event` at `now` other than its offline message. */
export function answersEvent(brand: BrandConfig, event: InboundEvent, now: Date): boolean {
  const step = planFor(brand, event, now).step;
  return step !== 'silent' && step !== 'offline';
}

/**
 * Whether the event `dedupeKey` opened its conversation: the message log (oldest first, as the
 * store returns it) holds its inbound entry and no inbound entry before it. `complete` says the
 * log was read whole (fewer entries than asked for); otherwise older entries may exist unseen,
 * and the answer is no. Redeliveries see the same entries before the event, so the same answer.
 */
export function opensConversation(
  log: readonly MessageLogEntry[],
  dedupeKey: string,
  complete: boolean,
): boolean {
  if (!complete) return false;
  const own = log.findIndex((e) => e.direction === 'inbound' && e.key === dedupeKey);
  return own >= 0 && !log.slice(0, own).some((e) => e.direction === 'inbound');
}

/** The bot's answer to `event`, as commands for the `outbound` topic. */
export function decideBotReply(
  brand: BrandConfig,
  event: InboundEvent,
  conversation: BotConversation,
  now: Date,
  turn: BotTurn,
): BotDecision {
  const locale = botLocale(brand, event, conversation);
  const plan = planFor(brand, event, now);
  const greeting = conversation.isNew ? greetingFor(brand, event, conversation) : undefined;
  const intentOf = (id: string) => brand.intents.find((i) => i.id === id);

  // The greeting goes first on a new conversation, except with the offline message.
  let greet = greeting !== undefined;
  let answer: Localized<BotReply> | undefined;
  let outcome: BotOutcome = 'none';
  let reason: BotReason;
  let intentId: string | undefined;
  switch (plan.step) {
    case 'silent':
      return { outbound: [], outcome: 'none', reason: plan.reason, locale };
    case 'offline':
      greet = false;
      answer = brand.hours.bot.offlineMessage;
      reason = 'offline';
      break;
    case 'intent':
    case 'match': {
      const id = plan.step === 'intent' ? plan.intentId : turn.match?.intentId;
      const intent = id === undefined ? undefined : intentOf(id);
      if (intent && greet && intent.answeredByGreeting) {
        outcome = 'matched';
        reason = 'greeting';
        intentId = intent.id;
      } else if (intent) {
        answer = intent.replies;
        outcome = 'matched';
        reason = 'intent';
        intentId = intent.id;
      } else if (greet) {
        // A first message the bot does not understand ("hi") is answered by the greeting alone.
        reason = 'greeting';
      } else {
        answer = brand.fallback;
        outcome = 'missed';
        reason = 'fallback';
      }
      break;
    }
    case 'image':
      answer = brand.imageReceived;
      reason = 'image';
      break;
    case 'authentication': {
      const failed = brand.authentication.failed;
      answer =
        plan.failure === undefined
          ? brand.authentication.succeeded
          : ((plan.failure === 'unknown' ? undefined : failed[plan.failure]) ?? failed.default);
      reason = plan.failure === undefined ? 'authentication_succeeded' : 'authentication_failed';
      break;
    }
  }

  const values = placeholderValues(brand, originOf(event, conversation), locale);
  const render = (localized: Localized<BotReply>) =>
    fillPlaceholders(pick(brand, localized, locale), values);
  return {
    outbound: commandsFor(brand, event, turn, {
      ...(greet && greeting ? { greeting: render(greeting) } : {}),
      answers: answer ? [render(answer)] : [],
    }),
    outcome,
    reason,
    locale,
    ...(intentId !== undefined ? { intentId } : {}),
  };
}

function greetingFor(
  brand: BrandConfig,
  event: InboundEvent,
  conversation: BotConversation,
): Localized<BotReply> {
  const entryPoint = originOf(event, conversation).entryPoint;
  const byEntryPoint = brand.greeting.byEntryPoint as
    Partial<Record<string, Localized<BotReply>>> | undefined;
  return (
    (entryPoint !== undefined ? byEntryPoint?.[entryPoint] : undefined) ?? brand.greeting.default
  );
}

function placeholderValues(brand: BrandConfig, origin: Origin, locale: string): PlaceholderValues {
  const placeId = origin.placeId ?? origin.nearPlaceId;
  const place = placeId === undefined ? undefined : brand.places?.[placeId];
  return {
    brandName: brand.displayName,
    placeName: place?.name[locale] ?? place?.name[brand.defaultLocale] ?? brand.displayName,
  };
}

function pick(brand: BrandConfig, localized: Localized<BotReply>, locale: string): BotReply {
  const reply = localized[locale] ?? localized[brand.defaultLocale];
  if (!reply) throw new BotReplyError(`brand ${brand.brandId} has no ${locale} reply`);
  return reply;
}

/** The BOT representative on the bot's messages and the queue notice (a `QueueSettings` field). */
export function botRepresentative(
  brand: Pick<QueueSettings, 'displayName' | 'bot'>,
): Representative {
  return {
    representativeType: 'BOT',
    displayName: brand.bot.displayName ?? brand.displayName,
    ...(brand.bot.avatarImage !== undefined ? { avatarImage: brand.bot.avatarImage } : {}),
  };
}

/**
 * The commands for one answer. The greeting is message 0 and the answers 1, 2, …: an answer's
 * ID does not depend on whether a greeting preceded it.
 */
function commandsFor(
  brand: BrandConfig,
  event: InboundEvent,
  turn: BotTurn,
  replies: { greeting?: BotReply; answers: BotReply[] },
): OutboundCommand[] {
  const numbered: [number, BotReply][] = [
    ...(replies.greeting ? [[0, replies.greeting] as [number, BotReply]] : []),
    ...replies.answers.map((reply, i): [number, BotReply] => [i + 1, reply]),
  ];
  if (numbered.length === 0) return [];
  const ids = replyIds(BOT_ID_NAMESPACE, event.dedupeKey, turn.digest);
  const representative = botRepresentative(brand);
  const common = {
    conversationId: event.conversationId,
    brandId: event.brandId,
    agent: event.agent,
    causedBy: event.dedupeKey,
    createdAt: turn.createdAt,
    ...(typeof turn.lastUserMessageAt === 'string'
      ? { lastUserMessageAt: turn.lastUserMessageAt }
      : {}),
  };
  const typing = (eventType: 'TYPING_STARTED' | 'TYPING_STOPPED', eventId: string) =>
    ({
      type: 'event',
      ...common,
      eventId,
      event: { eventType, representative },
    }) satisfies SendEventCommand;

  const messages = numbered.map(([n, reply]): SendMessageCommand => {
    const message = { messageId: ids.message(n), representative, ...reply };
    const checked = Message.safeParse(message);
    if (!checked.success) {
      throw new BotReplyError(
        `brand ${brand.brandId}: message ${n} is not sendable: ${describeIssues(checked.error)}`,
      );
    }
    return { type: 'message', ...common, message };
  });
  // The answer is ready at once, so by default a typing indicator around it would show nothing
  // and cost two API calls and two sender invocations; brands that want one ask for it.
  return brand.bot.typingIndicators
    ? [
        typing('TYPING_STARTED', ids.typingStarted),
        ...messages,
        typing('TYPING_STOPPED', ids.typingStopped),
      ]
    : messages;
}
