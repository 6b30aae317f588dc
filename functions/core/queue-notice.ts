import { botLocale, botRepresentative } from './bot-replies';
import type { BotReply, QueueSettings } from './brand-config';
import { fillPlaceholders } from './brand-config';
import { BM_LIMITS, Message } from './business-messages-api';
import { isOpen } from './business-hours';
import type { Conversation } from './conversation';
import { derivedId } from './deterministic-ids';
import type { Digest, InboundEvent } from './inbound-event';
import { describeReturn, nextOpening } from './next-opening';
import type { SendMessageCommand } from './outbound-command';
import { describeIssues } from './validation-problems';

/**
 * What the customer is told, once per queueing, while the conversation waits for a human
 * (business-messages.md §3): someone is coming; or, outside human hours, the brand's offline
 * message with when humans are back, and perhaps back to the bot. Every ID derives from the
 * conversation's stay in the queue, so a redelivered event publishes the same IDs and the
 * sender's ALREADY_EXISTS makes each notice land once.
 */

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
  /** What the notice reads of the brand; a whole `BrandConfig` will do too. */
  brand: QueueSettings;
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
  const id = (suffix: string) => derivedId('live-agent', seed, suffix, digest);
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

function pickDefault(brand: QueueSettings, replies: Record<string, BotReply>): BotReply {
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

function placeholderValues(brand: QueueSettings, conversation: Conversation, locale: string) {
  const placeId = conversation.origin.placeId ?? conversation.origin.nearPlaceId;
  const place = placeId === undefined ? undefined : brand.places?.[placeId];
  return {
    brandName: brand.displayName,
    placeName: place?.name[locale] ?? place?.name[brand.defaultLocale] ?? brand.displayName,
  };
}
