import { InMemoryBrandDirectory } from '../../functions/adapters/in-memory-brand-directory';
import { InMemoryConversationStore } from '../../functions/adapters/in-memory-conversation-store';
import {
  InMemoryEventBus,
  type DeliveredMessage,
} from '../../functions/adapters/in-memory-event-bus';
import type { AutomationDeps, AutomationOutcome } from '../../functions/automation/handler';
import { makeAutomationHandler } from '../../functions/automation/handler';
import type { Route } from '../../functions/core/conversation';
import type { OutboundCommand } from '../../functions/core/outbound-command';
import { OutboundCommand as OutboundCommandSchema } from '../../functions/core/outbound-command';
import { createsConversation, routedMessage } from '../../functions/core/routed-event';
import { transition } from '../../functions/core/state-machine';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import { sha256Digest } from '../../functions/platform/digest';
import { toPubSubCloudEvent } from '../../functions/platform/pubsub-cloud-event';
import { keywordIntentMatcher } from '../../functions/ports/intent-matcher';
import { inboundEvent, type WebhookBody } from '../support/inbound-events';
import { LogCapture } from '../support/log-capture';

export const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
export const START = new Date('2026-11-25T10:15:31.000Z');

export interface HarnessOptions {
  brands?: AutomationDeps['brands'];
  overrides?: Partial<AutomationDeps>;
}

/**
 * The automation function on the in-memory bus, fed the way the classifier feeds it: each
 * webhook body is applied to the in-memory store by the conversation state machine and, if
 * routed to automation, published on `automation` as the classifier publishes it. The handler
 * receives it as the CloudEvent functions-framework would give it.
 */
export function automationHarness(options: HarnessOptions = {}) {
  let clock = START.getTime();
  const now = () => new Date(clock);
  const store = new InMemoryConversationStore({ now });
  const bus = new InMemoryEventBus({ now });
  const brands = options.brands ?? new InMemoryBrandDirectory([sampleBrandDocument()]);
  const capture = new LogCapture();
  const logs = capture.lines;
  const outcomes: (AutomationOutcome | Error)[] = [];
  /** Reads of the message log: only a routed event that does not say it opened the conversation. */
  let historyReads = 0;
  const handler = makeAutomationHandler({
    brands,
    matcher: keywordIntentMatcher,
    outcomes: store,
    history: {
      getMessages: (conversationId, limit) => {
        historyReads += 1;
        return store.getMessages(conversationId, limit);
      },
    },
    bus,
    log: capture.logger('automation', { now }),
    now,
    digest: sha256Digest,
    ...options.overrides,
  });
  bus.subscribe('automation', async (message) => {
    try {
      outcomes.push(await handler(cloudEventOf(message)));
    } catch (error) {
      outcomes.push(error as Error);
      throw error;
    }
  });

  /** What the classifier does with one webhook body; returns where it routed it. */
  async function customerSends(body: WebhookBody): Promise<Route | null> {
    const event = inboundEvent(body);
    const applied = await store.applyInbound(event, (current) =>
      transition(current, event, now(), { missThreshold: 2 }),
    );
    const routing = applied.duplicate ? applied.previous : applied.result.routing;
    const created = applied.duplicate ? undefined : createsConversation(applied.result);
    const message = routing ? routedMessage(event, body, routing, TRACE, created) : undefined;
    if (!message) return null;
    const { topic, ...outgoing } = message;
    await bus.publish(topic, outgoing);
    await bus.drain();
    clock += 1000;
    return topic;
  }

  const onTopic = (topic: string) => bus.published.filter((m) => m.topic === topic);
  const text = (m: { data: Uint8Array }) => Buffer.from(m.data).toString('utf8');

  return {
    store,
    bus,
    brands,
    logs,
    outcomes,
    handler,
    customerSends,
    now,
    advance: (ms: number) => (clock += ms),
    historyReads: () => historyReads,
    /** Every command published to `outbound`, parsed with the contract's schema. */
    outbound: (): OutboundCommand[] =>
      onTopic('outbound').map((m) => OutboundCommandSchema.parse(JSON.parse(text(m)))),
    outboundMessages: () => onTopic('outbound'),
    quarantined: () => onTopic('quarantine'),
    routed: () => onTopic('automation'),
    text,
    logLines: () => capture.entries,
  };
}

export const cloudEventOf = (message: DeliveredMessage) =>
  toPubSubCloudEvent('projects/test-project/topics/automation', message);
