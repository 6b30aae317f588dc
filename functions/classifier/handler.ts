import type { RecordedRouting, Route } from '../core/conversation';
import { classifyFailure } from '../core/failure';
import {
  contentOf,
  parseInboundEvent,
  type Digest,
  type InboundEvent,
} from '../core/inbound-event';
import { createsConversation, routedMessage } from '../core/routed-event';
import { transition } from '../core/state-machine';
import { type Logger, eventLabels } from '../platform/logger';
import { capAttributes, makeQuarantine, receiveJson } from '../platform/quarantine';
import { traceOfEvent } from '../platform/trace';
import type { BrandDirectory } from '../ports/brand-directory';
import type { ConversationStore } from '../ports/conversation-store';
import type { EventBus } from '../ports/event-bus';

export interface ClassifierDeps {
  store: ConversationStore;
  /** Only each brand's routing settings, read without validating the rest of its document. */
  brands: Pick<BrandDirectory, 'routingFor'>;
  bus: EventBus;
  log: Logger;
  now: () => Date;
  digest: Digest;
}

export type ClassifierOutcome =
  | { status: 'routed'; route: Route; reason: string; duplicate: boolean }
  | { status: 'not-routed'; reason: string; duplicate: boolean }
  | { status: 'quarantined'; reason: string };

/**
 * The classifier: one `inbound` event in, its effect on the conversation applied exactly once,
 * and the event routed to `automation` or `live-agent` (or nowhere).
 *
 * A redelivered event changes nothing, but republishes what its first delivery decided: that
 * delivery may have committed and then failed to publish. Consumers dedupe on `dedupeKey`.
 * Transient failures are thrown, so Pub/Sub redelivers; an event that can never be processed is
 * quarantined (with its raw bytes and the reason) and acknowledged.
 */
export function makeClassifierHandler(deps: ClassifierDeps) {
  const { store, bus } = deps;
  const quarantine = makeQuarantine({ bus, log: deps.log, source: 'classifier' });

  return async (cloudEvent: unknown): Promise<ClassifierOutcome> => {
    const received = await receiveJson(cloudEvent, quarantine);
    if (!received.ok) return { status: 'quarantined', reason: received.reason };
    const { json: webhook, attributes: meta } = received;
    const { data, attributes } = received.message;

    const parsed = parseInboundEvent(webhook, deps.digest);
    if (!parsed.ok) {
      await quarantine(data, parsed.reason, { attributes: meta });
      return { status: 'quarantined', reason: parsed.reason };
    }
    const event = parsed.event;

    const traceId = traceOfEvent(attributes.traceId, event.dedupeKey, deps.digest);
    const log = deps.log.with({
      traceId,
      labels: eventLabels(event),
    });

    try {
      const settings = await deps.brands.routingFor(event.brandId);
      const now = deps.now();
      const applied = await store.applyInbound(event, (current) =>
        transition(current, event, now, settings),
      );
      const routing = applied.duplicate ? applied.previous : applied.result.routing;
      // Known only while applying: a republished decision goes without it (see routed-event).
      const created = applied.duplicate ? undefined : createsConversation(applied.result);
      const busMessageId = routing
        ? await publish(event, webhook as Record<string, unknown>, routing, traceId, created)
        : undefined;

      const decision = routing?.decision;
      const fields = {
        kind: event.kind,
        route: decision?.route ?? null,
        reason: decision?.reason ?? 'unknown',
        state: routing?.conversation?.state ?? null,
        ...(busMessageId ? { busMessageId } : {}),
        content: contentOf(event),
      };
      if (applied.duplicate && applied.erased) {
        log.info(`${event.kind} event from before the conversation's erasure dropped`, {
          event: 'event_dropped_erased',
          kind: event.kind,
        });
        return { status: 'not-routed', reason: 'erased', duplicate: true };
      }
      if (applied.duplicate) {
        log.info(`duplicate ${event.kind} event: state unchanged`, {
          event: 'event_duplicate',
          republished: busMessageId !== undefined,
          ...fields,
        });
      } else {
        const change = applied.result.effects.find((e) => e.type === 'state-change');
        log.info(
          decision?.route
            ? `${event.kind} event routed to ${decision.route} (${decision.reason})`
            : `${event.kind} event not routed (${decision?.reason})`,
          {
            event: decision?.route ? 'event_routed' : 'event_not_routed',
            ...fields,
            ...(change ? { previousState: change.from } : {}),
          },
        );
      }
      return decision?.route
        ? {
            status: 'routed',
            route: decision.route,
            reason: decision.reason,
            duplicate: applied.duplicate,
          }
        : {
            status: 'not-routed',
            reason: decision?.reason ?? 'no recorded decision',
            duplicate: applied.duplicate,
          };
    } catch (error) {
      if (classifyFailure(error) === 'permanent') {
        const reason = (error as Error).message;
        await quarantine(data, reason, { attributes: meta, log });
        return { status: 'quarantined', reason };
      }
      log.warn('event not classified; Pub/Sub will redeliver it', {
        event: 'classifier_retry',
        kind: event.kind,
        error,
      });
      throw error;
    }
  };

  async function publish(
    event: InboundEvent,
    webhook: Record<string, unknown>,
    routing: RecordedRouting,
    traceId: string,
    createdConversation: boolean | undefined,
  ): Promise<string | undefined> {
    const message = routedMessage(event, webhook, routing, traceId, createdConversation);
    if (!message) return undefined;
    const { topic, attributes, ...outgoing } = message;
    return bus.publish(topic, { ...outgoing, attributes: capAttributes(attributes) });
  }
}
