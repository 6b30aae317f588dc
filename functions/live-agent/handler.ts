import type { QueueSettings } from '../core/brand-config';
import type { ConversationState } from '../core/conversation';
import { PermanentFailure, classifyFailure } from '../core/failure';
import type { FeedNotice } from '../core/feed-notice';
import { returnToBot } from '../core/agent-operations';
import type { Digest, InboundEvent } from '../core/inbound-event';
import {
  outboundBusMessage,
  withLastUserMessageAt,
  type OutboundCommand,
} from '../core/outbound-command';
import { decideQueueNotice, type QueueNotice } from '../core/queue-notice';
import { parseRoutedEvent, type RoutedEvent } from '../core/routed-event';
import { type Logger, eventLabels } from '../platform/logger';
import { makeQuarantine, receiveJson, type QuarantineDetails } from '../platform/quarantine';
import { traceOfEvent } from '../platform/trace';
import type { BrandDirectory } from '../ports/brand-directory';
import type { FeedNotices } from '../ports/conversation-feed';
import type { ConversationStore } from '../ports/conversation-store';
import type { EventBus } from '../ports/event-bus';

export interface LiveAgentDeps {
  store: ConversationStore;
  /**
   * The brand's queue settings, for the queue notice (human hours, offline message, locales,
   * the BOT representative) with its `dedicated` flag, so no routing flag is read on its own
   * here. Only these are validated: a brand whose bot replies are broken still gets its queued
   * customers told what happens next, while automation quarantines its own events.
   */
  brands: Pick<BrandDirectory, 'queueSettings'>;
  /** `outbound` for the customer, `quarantine` for what can never be processed. */
  bus: EventBus;
  /** Customer typing and messages, for the agents' consoles. */
  feed: FeedNotices;
  log: Logger;
  digest: Digest;
}

export type LiveAgentOutcome =
  | {
      status: 'handled';
      /** The conversation's state once handled. */
      state: ConversationState;
      /** What the customer was told about the queue (the same on every redelivery). */
      notice?: 'coming' | 'offline';
      /** The conversation went back to the bot (outside human hours, if the brand says so). */
      returnedToBot: boolean;
      /** What the agents' consoles were told. */
      fed?: FeedNotice['kind'];
    }
  | { status: 'quarantined'; reason: string };

/** How many of the newest log entries are searched for the customer's message. */
const LOG_CHECK_DEPTH = 50;

/**
 * The `liveAgent` function: one event of a conversation that is (or was, when routed) with the
 * live agents. The classifier has put the conversation in its brand's queue (`bot → queued`)
 * and logged the customer's message; this function
 *
 * - checks that the conversation is where the classifier left it (it changes nothing there);
 * - while it is `queued`, tells the customer what happens next, once per stay in the queue
 *   (IDs derived from the conversation and when it was queued: redeliveries and further
 *   messages repeat the same IDs, and the sender's ALREADY_EXISTS makes it appear once); and,
 *   outside human hours for brands that want it, hands the conversation back to the bot;
 * - passes customer typing and messages to the agents' consoles.
 *
 * Transient failures are thrown (Pub/Sub redelivers); an event that can never be processed is
 * quarantined and acknowledged.
 */
export function makeLiveAgentHandler(deps: LiveAgentDeps) {
  const { store, bus } = deps;
  const quarantine = makeQuarantine({ bus, log: deps.log, source: 'live-agent' });
  /** Keeps what can never be processed, with why, and acknowledges it. */
  const quarantined = async (
    raw: Uint8Array,
    reason: string,
    details: QuarantineDetails,
  ): Promise<LiveAgentOutcome> => {
    await quarantine(raw, reason, details);
    return { status: 'quarantined', reason };
  };

  return async (cloudEvent: unknown): Promise<LiveAgentOutcome> => {
    const received = await receiveJson(cloudEvent, quarantine);
    if (!received.ok) return { status: 'quarantined', reason: received.reason };
    const { json, attributes: meta } = received;
    const { data, attributes } = received.message;
    const parsed = parseRoutedEvent(json, deps.digest);
    if (!parsed.ok) return quarantined(data, parsed.reason, { attributes: meta });
    const { value: routed, event } = parsed;
    if (routed.decision.route !== 'live-agent') {
      const reason = `routed to ${routed.decision.route}, not live-agent`;
      return quarantined(data, reason, { attributes: meta });
    }

    const traceId = traceOfEvent(attributes.traceId, event.dedupeKey, deps.digest);
    const log = deps.log.with({
      traceId,
      labels: eventLabels(event),
    });

    try {
      return await handle(routed, event, traceId, log);
    } catch (error) {
      if (classifyFailure(error) === 'permanent') {
        return quarantined(data, (error as Error).message, { attributes: meta, log });
      }
      log.warn('live-agent event not handled; Pub/Sub will redeliver it', {
        event: 'live_agent_retry',
        kind: event.kind,
        error,
      });
      throw error;
    }
  };

  async function handle(
    routed: RoutedEvent,
    event: InboundEvent,
    traceId: string,
    log: Logger,
  ): Promise<LiveAgentOutcome> {
    const conversation = await store.getConversation(event.conversationId);
    // The classifier commits before it publishes: not finding it is a store hiccup, retried.
    if (!conversation) throw new Error(`conversation ${event.conversationId} not found`);

    const notice = feedNoticeOf(event, routed.routedAt);
    if (notice?.kind === 'customer.message') await checkLogged(event, log);
    if (notice) await deps.feed.publish(notice);

    let queue: QueueNotice | undefined;
    let state = conversation.state;
    let returnedToBot = false;
    if (conversation.state === 'queued' && event.kind !== 'typing') {
      const brand = await brandOf(conversation.brandId);
      queue = decideQueueNotice({
        brand,
        conversation,
        event,
        at: new Date(routed.routedAt),
        digest: deps.digest,
      });
      // The routed event's copy of the customer's last message spares the sender a read, and
      // keeps a redelivery's commands byte-identical (the stored one may have moved on).
      const lastUserMessageAt = routed.conversation.lastUserMessageAt;
      for (const command of queue.outbound) {
        await publish(withLastUserMessageAt(command, lastUserMessageAt), brand, traceId);
      }
      if (queue.returnToBot) {
        const queueKey = queue.queueKey;
        const result = await store.updateConversation(
          conversation.id,
          `return-to-bot:${queueKey}`,
          (current) => returnToBot(current, queueKey),
        );
        if (result.ok) {
          state = result.conversation.state;
          returnedToBot = !result.duplicate;
        }
      }
    } else if (routed.conversation.state === 'queued' && conversation.state !== 'queued') {
      log.info(
        `conversation left the queue before this event was handled (${conversation.state})`,
        {
          event: 'live_agent_stale',
          kind: event.kind,
          state: conversation.state,
        },
      );
    }

    log.info(describe(event, queue, returnedToBot), {
      event: 'live_agent_event',
      kind: event.kind,
      reason: routed.decision.reason,
      state,
      ...(queue
        ? {
            queuedAt: queue.queuedAt,
            notice: queue.humansAvailable ? 'coming' : 'offline',
            locale: queue.locale,
            ...(queue.nextOpening ? { nextOpening: queue.nextOpening } : {}),
            noticeIds: queue.outbound.map((c) => c.message.messageId),
          }
        : {}),
      returnedToBot,
      ...(notice ? { fed: notice.kind } : {}),
    });
    return {
      status: 'handled',
      state,
      ...(queue
        ? { notice: queue.humansAvailable ? ('coming' as const) : ('offline' as const) }
        : {}),
      returnedToBot,
      ...(notice ? { fed: notice.kind } : {}),
    };
  }

  async function brandOf(brandId: string): Promise<QueueSettings> {
    // Invalid queue settings throw BrandConfigError (permanent) from the directory.
    const brand = await deps.brands.queueSettings(brandId);
    if (!brand) throw new PermanentFailure(`brand ${brandId} has no configuration`);
    return brand;
  }

  async function publish(command: OutboundCommand, brand: QueueSettings, traceId: string) {
    await bus.publish(
      'outbound',
      outboundBusMessage(command, { traceId, dedicated: brand.dedicated === true }),
    );
  }

  /** The classifier logged the message with its text; a missing entry is reported, not made up. */
  async function checkLogged(event: InboundEvent, log: Logger): Promise<void> {
    const entries = await store.getMessages(event.conversationId, LOG_CHECK_DEPTH);
    if (!entries.some((e) => e.direction === 'inbound' && e.key === event.dedupeKey)) {
      log.warn('customer message not found in the conversation log', {
        event: 'live_agent_message_unlogged',
        kind: event.kind,
      });
    }
  }
}

/** What the agents' consoles hear about this event, if anything. */
function feedNoticeOf(event: InboundEvent, routedAt: string): FeedNotice | undefined {
  const common = {
    key: event.dedupeKey,
    conversationId: event.conversationId,
    brandId: event.brandId,
    at: isoOrElse(event.occurredAt, routedAt),
  };
  switch (event.kind) {
    case 'typing':
      return { kind: 'customer.typing', ...common, isTyping: event.isTyping };
    case 'text':
      return {
        kind: 'customer.message',
        ...common,
        messageKind: 'text',
        messageId: event.messageId,
        text: event.text,
      };
    case 'image':
      return {
        kind: 'customer.message',
        ...common,
        messageKind: 'image',
        messageId: event.messageId,
        imageUrl: event.imageUrl,
      };
    case 'suggestion':
      return {
        kind: 'customer.message',
        ...common,
        messageKind: 'suggestion',
        ...(event.text !== undefined ? { text: event.text } : {}),
        postbackData: event.postbackData,
      };
    default:
      return undefined;
  }
}

const isoOrElse = (value: string | undefined, fallback: string): string => {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
};

function describe(
  event: InboundEvent,
  queue: QueueNotice | undefined,
  returnedToBot: boolean,
): string {
  if (!queue) return `${event.kind} event passed to the agents`;
  const told = queue.humansAvailable
    ? 'told someone is coming'
    : `told the team is away${queue.nextOpening ? ` until ${queue.nextOpening}` : ''}`;
  return `queued conversation: customer ${told}${returnedToBot ? '; back to the bot' : ''}`;
}
