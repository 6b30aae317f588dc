import { randomBytes } from 'node:crypto';
import { BusinessMessagesClient } from '../../functions/adapters/business-messages-client';
import { InMemoryConversationStore } from '../../functions/adapters/in-memory-conversation-store';
import {
  InMemoryEventBus,
  type InMemoryEventBusOptions,
} from '../../functions/adapters/in-memory-event-bus';
import type { EventType, RepresentativeType } from '../../functions/core/business-messages-api';
import type {
  SendEventCommand,
  SendMessageCommand,
  SendReceiptCommand,
  SendSurveyCommand,
} from '../../functions/core/outbound-command';
import {
  createStandin,
  type LogEntry,
  type Standin,
  type StandinOptions,
} from '../../functions/local/bm-api-standin/server';
import type { ConversationRecord } from '../../functions/local/bm-api-standin/store';
import { toPubSubCloudEvent } from '../../functions/platform/pubsub-cloud-event';
import type { BusinessMessagesApi } from '../../functions/ports/business-messages';
import { makeSenderHandler, type SendResult } from '../../functions/sender/handler';
import { ConversationRateLimiter } from '../../functions/sender/rate-limiter';
import { LogCapture } from './log-capture';
import { RecordingOutboundLog } from './outbound-log';

export const T0 = new Date('2026-11-25T12:00:00.000Z');
export const BRAND = 'velo-cafe';
export const AGENT = `brands/${BRAND}/agents/velo-cafe-agent`;
export const TRACE = '105445aa7843bc8bf206b12000100000';
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Time that moves only when told to; `sleep` moves it instead of waiting. */
export class FakeClock {
  private ms: number;
  readonly sleeps: number[] = [];
  constructor(start: Date = T0) {
    this.ms = start.getTime();
  }
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.advance(ms);
    return Promise.resolve();
  };
}

/** The real clock, for tests that run against a real subscription. */
export const systemClock = {
  now: () => new Date(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

const common = (conversationId: string, causedBy: string) => ({
  conversationId,
  brandId: BRAND,
  agent: AGENT,
  causedBy,
  createdAt: T0.toISOString(),
});

/** Valid `outbound` commands. */
export const command = {
  message: (
    conversationId: string,
    messageId: string,
    text = 'Hello from the bot',
    representativeType: RepresentativeType = 'BOT',
  ): SendMessageCommand => ({
    type: 'message',
    ...common(conversationId, `r:${messageId}`),
    message: { messageId, representative: { representativeType }, text },
  }),
  event: (
    conversationId: string,
    eventId: string,
    eventType: EventType = 'TYPING_STARTED',
    representativeType: RepresentativeType = 'BOT',
  ): SendEventCommand => ({
    type: 'event',
    ...common(conversationId, `r:${eventId}`),
    eventId,
    event: { eventType, representative: { representativeType } },
  }),
  survey: (conversationId: string, surveyId: string): SendSurveyCommand => ({
    type: 'survey',
    ...common(conversationId, `agent-api:${surveyId}`),
    surveyId,
  }),
  receipt: (conversationId: string, messageId: string): SendReceiptCommand => ({
    type: 'receipt',
    ...common(conversationId, `agent-api:read-${messageId}`),
    messageId,
    receiptType: 'READ',
  }),
};

/** The CloudEvent functions-framework hands the sender for one `outbound` message. */
export function cloudEventOf(
  payload: unknown,
  options: { id?: string; raw?: string | Uint8Array; attributes?: Record<string, string> } = {},
) {
  const data =
    options.raw === undefined
      ? Buffer.from(JSON.stringify(payload))
      : typeof options.raw === 'string'
        ? Buffer.from(options.raw)
        : options.raw;
  const conversationId = (payload as { conversationId?: unknown } | undefined)?.conversationId;
  return toPubSubCloudEvent('projects/test-project/topics/outbound', {
    id: options.id ?? randomBytes(6).toString('hex'),
    data,
    attributes: { traceId: TRACE, ...options.attributes },
    publishTime: T0.toISOString(),
    ...(typeof conversationId === 'string' ? { orderingKey: conversationId } : {}),
  });
}

export interface SenderHarnessOptions {
  standin?: StandinOptions;
  clock?: { now: () => Date; sleep: (ms: number) => Promise<void> };
  maxWaitMs?: number;
  logContent?: boolean;
  bus?: InMemoryEventBusOptions;
  /** Wraps the real client, e.g. to fake answers the stand-in cannot give. */
  api?: (real: BusinessMessagesApi) => BusinessMessagesApi;
}

export interface SenderHarness {
  standin: Standin;
  rootUrl: string;
  /** One entry per API request the stand-in answered. */
  requests: LogEntry[];
  client: BusinessMessagesClient;
  outboundLog: RecordingOutboundLog;
  bus: InMemoryEventBus;
  limiter: ConversationRateLimiter;
  /** The sender's log lines, parsed. */
  logs: Record<string, unknown>[];
  handler: (cloudEvent: unknown) => Promise<SendResult>;
  deliver(payload: unknown, options?: Parameters<typeof cloudEventOf>[1]): Promise<SendResult>;
  accepted(conversationId: string): ConversationRecord;
  close(): Promise<void>;
}

/** The sender handler wired to the stand-in over real HTTP, with in-memory log and bus. */
export async function startSender(options: SenderHarnessOptions = {}): Promise<SenderHarness> {
  const clock = options.clock ?? new FakeClock();
  const requests: LogEntry[] = [];
  const standin = createStandin({
    now: clock.now,
    log: (entry) => requests.push(entry),
    ...options.standin,
  });
  const { url: rootUrl } = await standin.listen(0, '127.0.0.1');
  const client = new BusinessMessagesClient({ rootUrl, auth: 'none', timeoutMs: 5_000 });
  const outboundLog = new RecordingOutboundLog(new InMemoryConversationStore({ now: clock.now }));
  const bus = new InMemoryEventBus(options.bus);
  const capture = new LogCapture();
  const logs = capture.entries;
  const limiter = new ConversationRateLimiter({
    limit: 60,
    windowMs: 60_000,
    maxWaitMs: options.maxWaitMs ?? 5_000,
    now: clock.now,
    sleep: clock.sleep,
  });
  const handler = makeSenderHandler({
    api: options.api ? options.api(client) : client,
    outboundLog,
    bus,
    log: capture.logger('sender', { logContent: options.logContent ?? false, now: clock.now }),
    now: clock.now,
    limiter,
  });
  return {
    standin,
    rootUrl,
    requests,
    client,
    outboundLog,
    bus,
    limiter,
    logs,
    handler,
    deliver: (payload, deliverOptions) => handler(cloudEventOf(payload, deliverOptions)),
    accepted: (conversationId) => standin.state.store.conversation(conversationId),
    close: () => standin.close(),
  };
}
