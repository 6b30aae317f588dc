import type { OutboundContent } from '../core/conversation';
import { classifyFailure } from '../core/failure';
import { OutboundCommand, outboundId } from '../core/outbound-command';
import { checkCarriedSendWindow, checkSendWindow, countsTowardQuota } from '../core/send-policy';
import { describeIssues } from '../core/validation-problems';
import type { Logger } from '../platform/logger';
import { makeQuarantine, receiveJson } from '../platform/quarantine';
import { isTraceId } from '../platform/trace';
import { ApiError, type BusinessMessagesApi, type SendOutcome } from '../ports/business-messages';
import type { DeliveryStatus, OutboundLog } from '../ports/conversation-store';
import type { EventBus } from '../ports/event-bus';
import { QuotaDeferredError, type ConversationRateLimiter } from './rate-limiter';

export interface SenderDeps {
  api: BusinessMessagesApi;
  outboundLog: OutboundLog;
  /** Only for `quarantine`. */
  bus: EventBus;
  log: Logger;
  now: () => Date;
  limiter: ConversationRateLimiter;
}

/**
 * How a delivery ended when it was acknowledged. Anything worth another delivery is thrown
 * instead: the function fails, Pub/Sub redelivers with backoff, and after the subscription's
 * last attempt the command goes to the dead-letter topic.
 */
export type SendResult =
  /** Accepted by Google now, recorded SENT. */
  | 'sent'
  /** An earlier attempt had landed (ALREADY_EXISTS), recorded SENT. */
  | 'already-sent'
  /** Refused for good (invalid, not permitted, survey within 24 h), recorded FAILED. */
  | 'failed'
  /** Not attempted: more than 30 days after the customer's last message, recorded EXPIRED. */
  | 'expired'
  /** Not a command: published raw to `quarantine`. */
  | 'quarantined';

/**
 * The `sender` function: performs one `outbound` command against the Business Messages API and
 * records the outcome on the conversation's message log. The command's ID (message, event or
 * survey ID) was fixed by its publisher, so every redelivery repeats the same call and Google's
 * ALREADY_EXISTS makes it land once.
 */
export function makeSenderHandler(deps: SenderDeps): (cloudEvent: unknown) => Promise<SendResult> {
  const quarantine = makeQuarantine({
    bus: deps.bus,
    log: deps.log,
    source: 'sender',
    message: 'outbound command quarantined',
  });

  return async (cloudEvent) => {
    const received = await receiveJson(cloudEvent, quarantine);
    if (!received.ok) return 'quarantined';
    const { message, json, attributes } = received;
    const traceId = isTraceId(message.attributes.traceId) ? message.attributes.traceId : undefined;
    const parsed = OutboundCommand.safeParse(json);
    if (!parsed.success) {
      const conversation = attributes.conversation ?? conversationOf(json);
      await quarantine(message.data, `not an outbound command: ${describeIssues(parsed.error)}`, {
        attributes: { ...attributes, ...(conversation ? { conversation } : {}) },
      });
      return 'quarantined';
    }
    return send(parsed.data, {
      traceId,
      busMessageId: message.messageId,
      deliveryAttempt: message.deliveryAttempt,
    });
  };

  async function send(
    command: OutboundCommand,
    meta: { traceId: string | undefined; busMessageId: string; deliveryAttempt?: number },
  ): Promise<SendResult> {
    const { conversationId } = command;
    const id = outboundId(command);
    const agentId = /^brands\/[^/]+\/agents\/([^/]+)$/.exec(command.agent)?.[1];
    const log = deps.log.with({
      ...(meta.traceId ? { traceId: meta.traceId } : {}),
      labels: {
        conversationId,
        brandId: command.brandId,
        messageId: id,
        ...(agentId ? { agentId } : {}),
      },
    });
    const shown = describeForLog(command);
    // Typing indicators are momentary: logging each would cost a Firestore write per reply and
    // tell an agent nothing. Everything else a customer can see is recorded.
    const ephemeral = command.type === 'event' && command.event.eventType.startsWith('TYPING_');
    const record = async (status: DeliveryStatus, reason?: string): Promise<void> => {
      if (ephemeral && status === 'SENT') return;
      try {
        await deps.outboundLog.recordOutbound(conversationId, {
          id,
          kind: command.type,
          status,
          at: deps.now(),
          causedBy: command.causedBy,
          ...shown.entry,
          ...(reason === undefined ? {} : { reason }),
        });
      } catch (error) {
        // A store that is unavailable is retried (the redelivery's call answers ALREADY_EXISTS
        // and records then); one that refuses for good (the ID is a customer's message, say)
        // would refuse every redelivery too, and the send itself is settled.
        if (classifyFailure(error) === 'transient') throw error;
        log.error(`${status} could not be recorded on the message log`, {
          event: 'send_record_failed',
          kind: command.type,
          status,
          error,
        });
      }
    };

    // The publisher's copy of the customer's last message settles the window without a read
    // whenever it is inside it, which a reply to a customer's message always is.
    const sendWindow =
      checkCarriedSendWindow(command.lastUserMessageAt, deps.now()) ??
      checkSendWindow(await deps.outboundLog.lastUserMessageAt(conversationId), deps.now());
    if (!sendWindow.open) {
      await record('EXPIRED', sendWindow.reason);
      log.warn(`${command.type} not sent: outside the 30-day window`, {
        event: 'send_expired',
        kind: command.type,
        reason: sendWindow.reason,
      });
      return 'expired';
    }

    if (countsTowardQuota(command.type)) {
      try {
        const { waitedMs } = await deps.limiter.acquire(conversationId);
        if (waitedMs > 0) {
          log.info(`waited ${waitedMs} ms for the conversation's send quota`, {
            event: 'send_throttled',
            waitedMs,
          });
        }
      } catch (error) {
        if (error instanceof QuotaDeferredError) {
          log.warn('conversation at its send quota; deferred to a later delivery', {
            event: 'send_deferred',
            kind: command.type,
            retryAfterMs: error.retryAfterMs,
            deliveryAttempt: meta.deliveryAttempt,
          });
        }
        throw error;
      }
    }

    let outcome: SendOutcome;
    try {
      outcome = await perform(command);
    } catch (error) {
      if (error instanceof ApiError && !error.retryable) {
        await record('FAILED', `${error.code}: ${error.apiMessage}`);
        log.error(`${command.type} refused by the API; recorded FAILED`, {
          event: 'send_failed',
          kind: command.type,
          call: error.call,
          status: error.status,
          reason: error.code,
          detail: error.apiMessage,
          deliveryAttempt: meta.deliveryAttempt,
        });
        return 'failed';
      }
      log.warn(`${command.type} not sent yet; Pub/Sub will redeliver`, {
        event: 'send_retry',
        kind: command.type,
        error,
        ...(error instanceof ApiError
          ? {
              call: error.call,
              status: error.status,
              reason: error.code,
              ...(error.retryAfterMs === undefined
                ? {}
                : { retryAfterSeconds: Math.ceil(error.retryAfterMs / 1000) }),
            }
          : {}),
        deliveryAttempt: meta.deliveryAttempt,
      });
      throw error;
    }

    await record('SENT');
    log.info(
      outcome.result === 'created'
        ? `${command.type} sent`
        : `${command.type} had been sent by an earlier attempt`,
      {
        event: 'send_succeeded',
        kind: command.type,
        result: outcome.result,
        busMessageId: meta.busMessageId,
        deliveryAttempt: meta.deliveryAttempt,
        ...(shown.content ? { content: shown.content } : {}),
      },
    );
    return outcome.result === 'created' ? 'sent' : 'already-sent';
  }

  function perform(command: OutboundCommand): Promise<SendOutcome> {
    const { api } = deps;
    switch (command.type) {
      case 'message':
        return api.createMessage(command.conversationId, command.message);
      case 'event':
        return api.createEvent(command.conversationId, command.eventId, command.event);
      case 'survey':
        return api.createSurvey(command.conversationId, command.surveyId);
      case 'receipt':
        return api.updateReceipt(command.conversationId, command.messageId, command.receiptType);
    }
  }
}

/** What the message log shows agents, and what may be logged as content. */
function describeForLog(command: OutboundCommand): {
  entry: OutboundContent;
  content?: Record<string, unknown>;
} {
  switch (command.type) {
    case 'message': {
      const { message } = command;
      // Rich cards and images keep their fallback as the text agents search and preview.
      const text = message.text ?? message.fallback;
      const { representative } = message;
      return {
        entry: {
          representativeType: representative.representativeType,
          ...(representative.displayName === undefined
            ? {}
            : { representativeName: representative.displayName }),
          ...(text === undefined ? {} : { text }),
          ...(message.image === undefined ? {} : { image: message.image }),
          ...(message.richCard === undefined ? {} : { richCard: message.richCard }),
          ...(message.suggestions === undefined ? {} : { suggestions: message.suggestions }),
        },
        ...(text === undefined ? {} : { content: { text } }),
      };
    }
    case 'event': {
      const { representative, eventType } = command.event;
      return {
        entry: {
          representativeType: representative.representativeType,
          ...(representative.displayName === undefined
            ? {}
            : { representativeName: representative.displayName }),
          eventType,
        },
      };
    }
    case 'survey':
    case 'receipt':
      return { entry: {} };
  }
}

/** The conversation a command that failed its schema names, if it names one. */
function conversationOf(json: unknown): string | undefined {
  const id = (json as { conversationId?: unknown } | null)?.conversationId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
