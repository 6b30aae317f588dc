import type { BotConversation, BotDecision } from '../core/bot-replies';
import { answersEvent, botQuery, decideBotReply, opensConversation } from '../core/bot-replies';
import { PermanentFailure, classifyFailure } from '../core/failure';
import type { Digest, InboundEvent } from '../core/inbound-event';
import { outboundBusMessage } from '../core/outbound-command';
import { parseRoutedEvent, type RoutedEvent } from '../core/routed-event';
import { type Logger, eventLabels } from '../platform/logger';
import { makeQuarantine, receiveJson } from '../platform/quarantine';
import { isTraceId } from '../platform/trace';
import type { BrandDirectory } from '../ports/brand-directory';
import type { ConversationStore } from '../ports/conversation-store';
import type { EventBus } from '../ports/event-bus';
import type { IntentMatcher } from '../ports/intent-matcher';

/**
 * How much of the message log is read to tell a conversation's first event, when the routed
 * event does not say (`createdConversation` is absent only from a republished event): that many
 * document reads at most, only for events the bot answers. A full window means the conversation
 * has history, so a first message is recognised while fewer entries than this follow it; a very
 * late redelivery may then skip the greeting, which the greeting's own ID (`-m0`) makes harmless.
 */
export const HISTORY_WINDOW = 10;

export interface AutomationDeps {
  /** The whole configuration: the bot answers from it, so an invalid one is permanent here. */
  brands: Pick<BrandDirectory, 'get'>;
  matcher: IntentMatcher;
  /** Counts the bot's hits and misses for the classifier's handoff threshold. */
  outcomes: Pick<ConversationStore, 'recordBotOutcome'>;
  /**
   * The message log, to tell whether this event opened the conversation (greeting) when the
   * routed event does not say so itself.
   */
  history: Pick<ConversationStore, 'getMessages'>;
  bus: EventBus;
  log: Logger;
  now: () => Date;
  digest: Digest;
  /** A brand's own deployment (BRAND_ID): events of other brands are answered but flagged. */
  brandId?: string;
}

export type AutomationOutcome =
  | {
      status: 'answered' | 'silent';
      reason: BotDecision['reason'];
      outcome: BotDecision['outcome'];
      commands: number;
    }
  | { status: 'quarantined'; reason: string };

/**
 * The bot: one routed event from `automation` in, its answer out on `outbound` (ordered by
 * conversation; typing indicators around the messages for brands that ask for them).
 *
 * It reads nothing the classifier already knew: whether the event opened the conversation, the
 * conversation's locale and origin, and the customer's last message (which the commands carry
 * to the sender for the 30-day window) all come with the routed event. The brand's
 * configuration is the directory's, cached per instance (`BRAND_CACHE_SECONDS`).
 *
 * Everything the answer contains is derived from the routed event, not from the clock: message
 * and event IDs from the dedupe key, `createdAt` from `routedAt`, bot hours evaluated at
 * `routedAt`. A redelivered event therefore publishes byte-identical commands, and the sender's
 * idempotent sends make the customer see the answer once. A bot miss or hit is recorded before
 * anything is published, once per dedupe key.
 *
 * Transient failures (Firestore, Pub/Sub, the matcher) are thrown, so Pub/Sub redelivers; an
 * event that can never be answered (bad data, no or invalid brand configuration) is quarantined
 * with the reason and acknowledged.
 */
export function makeAutomationHandler(deps: AutomationDeps) {
  const { bus } = deps;
  const quarantine = makeQuarantine({
    bus,
    log: deps.log,
    source: 'automation',
    message: 'event quarantined: it can never be answered',
  });

  return async (cloudEvent: unknown): Promise<AutomationOutcome> => {
    const received = await receiveJson(cloudEvent, quarantine);
    if (!received.ok) return { status: 'quarantined', reason: received.reason };
    const { json, attributes: meta } = received;
    const { data, attributes } = received.message;
    const traceId = isTraceId(attributes.traceId) ? attributes.traceId : undefined;
    let log = deps.log.with({
      ...(traceId ? { traceId } : {}),
      labels: {
        ...(attributes.conversation ? { conversationId: attributes.conversation } : {}),
        ...(attributes.brand ? { brandId: attributes.brand } : {}),
        ...(attributes.dedupeKey ? { dedupeKey: attributes.dedupeKey } : {}),
      },
    });

    try {
      const routed = parseRoutedEvent(json, deps.digest);
      if (!routed.ok) throw new PermanentFailure(routed.reason);
      const { event, value } = routed;
      log = log.with({
        labels: eventLabels(event),
      });
      if (deps.brandId !== undefined && deps.brandId !== event.brandId) {
        log.warn(`event of brand ${event.brandId} reached the deployment of ${deps.brandId}`, {
          event: 'brand_mismatch',
        });
      }
      return await answer(event, value, traceId, log);
    } catch (error) {
      if (classifyFailure(error) === 'permanent') {
        const reason = (error as Error).message;
        await quarantine(data, reason, {
          attributes: meta,
          log,
          // A PermanentFailure is all in its message; anything else may say more.
          ...(error instanceof PermanentFailure ? {} : { error }),
        });
        return { status: 'quarantined', reason };
      }
      log.warn('event not answered; Pub/Sub will redeliver it', {
        event: 'automation_retry',
        error,
      });
      throw error;
    }
  };

  async function answer(
    event: InboundEvent,
    routed: RoutedEvent,
    traceId: string | undefined,
    log: Logger,
  ): Promise<AutomationOutcome> {
    const brand = await deps.brands.get(event.brandId);
    if (!brand) throw new PermanentFailure(`no brand configuration for ${event.brandId}`);
    if (!brand.agents.includes(event.agent)) {
      throw new PermanentFailure(
        `agent ${event.agent} is not configured for brand ${brand.brandId}`,
      );
    }
    // The bot's clock is the routing time: a redelivery an hour later answers the same way.
    const at = new Date(routed.routedAt);
    const conversation: BotConversation = {
      isNew: answersEvent(brand, event, at) ? await opensConversationNow(event, routed) : false,
      ...(routed.conversation.locale !== null ? { locale: routed.conversation.locale } : {}),
      origin: routed.conversation.origin,
    };

    const query = botQuery(brand, event, conversation, at);
    const match = query ? await deps.matcher.match(query.text, query.locale, brand) : undefined;
    const decision = decideBotReply(brand, event, conversation, at, {
      match,
      digest: deps.digest,
      createdAt: routed.routedAt,
      lastUserMessageAt: routed.conversation.lastUserMessageAt,
    });

    // A hit when the bot had no misses changes nothing; skipping its write keeps a customer
    // message within its Firestore budget. (If a miss of the previous message is recorded only
    // after this one was routed, that miss is not reset here; the next hit resets it.)
    const changesNothing = decision.outcome === 'matched' && routed.conversation.botMisses === 0;
    const recorded =
      decision.outcome === 'none' || changesNothing
        ? undefined
        : await deps.outcomes.recordBotOutcome(
            event.conversationId,
            event.dedupeKey,
            decision.outcome === 'matched',
          );
    for (const command of decision.outbound) {
      await bus.publish(
        'outbound',
        outboundBusMessage(command, { traceId, dedicated: brand.dedicated === true }),
      );
    }

    log.info(`${event.kind} event: ${describe(decision)}`, {
      event: decision.outbound.length > 0 ? 'bot_replied' : 'bot_silent',
      kind: event.kind,
      reason: decision.reason,
      outcome: decision.outcome,
      locale: decision.locale,
      newConversation: conversation.isNew,
      commands: decision.outbound.length,
      lagMs: deps.now().getTime() - at.getTime(),
      ...(decision.intentId ? { intentId: decision.intentId } : {}),
      ...(match ? { confidence: match.confidence } : {}),
      ...(recorded ? { outcomeStatus: recorded.status, botMisses: recorded.botMisses } : {}),
      content: query ? { text: query.text } : undefined,
    });
    return {
      status: decision.outbound.length > 0 ? 'answered' : 'silent',
      reason: decision.reason,
      outcome: decision.outcome,
      commands: decision.outbound.length,
    };
  }

  async function opensConversationNow(event: InboundEvent, routed: RoutedEvent): Promise<boolean> {
    if (routed.createdConversation !== undefined) return routed.createdConversation;
    const log = await deps.history.getMessages(event.conversationId, HISTORY_WINDOW);
    return opensConversation(log, event.dedupeKey, log.length < HISTORY_WINDOW);
  }
}

function describe(decision: BotDecision): string {
  switch (decision.reason) {
    case 'intent':
      return `answered intent ${decision.intentId}`;
    case 'fallback':
      return 'no intent matched; fallback sent';
    case 'dialogflow_answered':
      return 'Dialogflow already answered; the bot stays silent';
    default:
      return decision.reason.replace(/_/g, ' ');
  }
}
