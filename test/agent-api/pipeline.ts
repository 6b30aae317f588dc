import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { BusinessMessagesClient } from '../../functions/adapters/business-messages-client';
import { InMemoryBrandDirectory } from '../../functions/adapters/in-memory-brand-directory';
import {
  InMemoryConversationFeed,
  withConversationFeed,
} from '../../functions/adapters/in-memory-conversation-feed';
import { InMemoryConversationStore } from '../../functions/adapters/in-memory-conversation-store';
import {
  InMemoryEventBus,
  type DeliveredMessage,
} from '../../functions/adapters/in-memory-event-bus';
import { makeAgentApiHandler, type AgentApiDeps } from '../../functions/agent-api/handler';
import { tokenSessions } from '../../functions/agent-api/session';
import { TokenAuthenticator } from '../../functions/adapters/token-authenticator';
import { makeAutomationHandler } from '../../functions/automation/handler';
import { makeClassifierHandler } from '../../functions/classifier/handler';
import { AgentRecord, type AgentRecordInput } from '../../functions/core/agent-record';
import {
  OutboundCommand as OutboundCommandSchema,
  type OutboundCommand,
} from '../../functions/core/outbound-command';
import { createStandin, type Standin } from '../../functions/local/bm-api-standin/server';
import type { ConversationRecord } from '../../functions/local/bm-api-standin/store';
import { makeLiveAgentHandler, type LiveAgentOutcome } from '../../functions/live-agent/handler';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import { sha256Digest } from '../../functions/platform/digest';
import { toPubSubCloudEvent } from '../../functions/platform/pubsub-cloud-event';
import type { AgentAuthenticator } from '../../functions/ports/agent-authenticator';
import type { ConversationStore } from '../../functions/ports/conversation-store';
import type { Topic } from '../../functions/ports/event-bus';
import { keywordIntentMatcher } from '../../functions/ports/intent-matcher';
import { makeSenderHandler } from '../../functions/sender/handler';
import { ConversationRateLimiter } from '../../functions/sender/rate-limiter';
import { tolerateMalformedJson } from '../../functions/platform/malformed-json';
import { inboundEvent, type WebhookBody } from '../support/inbound-events';
import { LogCapture } from '../support/log-capture';
import { FakeClock, T0 } from '../support/sender-harness';

export const BRAND = 'velo-cafe';
export const AGENT = `brands/${BRAND}/agents/velo-cafe-agent`;
export const TRACE = '0af7651916cd43dd8448eb211c80319c';

/** Live agents of the tests: two of the sample brand, one of another brand. */
export const AGENTS = {
  alex: {
    agentId: 'alex',
    email: 'alex@velo-cafe.example',
    displayName: 'Alex',
    avatarUrl: 'https://velo-cafe.example/avatars/alex.png',
    brandIds: [BRAND],
  },
  sam: {
    agentId: 'sam',
    email: 'sam@velo-cafe.example',
    displayName: 'Sam',
    brandIds: [BRAND],
  },
  olga: {
    agentId: 'olga',
    email: 'olga@other.example',
    displayName: 'Olga',
    brandIds: ['other-brand'],
  },
} satisfies Record<string, AgentRecordInput>;

export const tokenOf = (name: string): string => `token-${name}`;

/** `count` more agents of the sample brand, `agent-1` …, with tokens `token-agent-1` …. */
export const crowd = (count: number): Record<string, AgentRecordInput> =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `agent-${i + 1}`,
      {
        agentId: `agent-${i + 1}`,
        email: `agent-${i + 1}@velo-cafe.example`,
        displayName: `Agent ${i + 1}`,
        brandIds: [BRAND],
      },
    ]),
  );

export interface PipelineOptions {
  /** The brand document (default: the sample brand; null: no brand configured). */
  brand?: unknown;
  start?: Date;
  /** Another store underneath (the Firestore one, say); it is told to the feed. */
  store?: ConversationStore;
  /** More agents by name (tokens `token-NAME`). */
  agents?: Record<string, AgentRecordInput>;
  auth?: AgentAuthenticator;
  sse?: AgentApiDeps['sse'];
  /** Console sessions over the agents' tokens (`POST /session`), lasting this long. */
  sessionTtlMs?: number;
  /** Where the built console is (default: dist/console). */
  consoleDir?: string;
}

/**
 * The product in one process on the in-memory bus, as the local mode wires it: classifier,
 * automation, live agent and sender (against the Business Messages API stand-in over HTTP) on
 * their topics, and the agent API under functions-framework's test server. Customers are played
 * by publishing webhook bodies on `inbound`; `settle()` waits until every delivery is done.
 */
export async function startPipeline(options: PipelineOptions = {}) {
  tolerateMalformedJson();
  const clock = new FakeClock(options.start ?? T0);
  const now = clock.now;
  const feed = new InMemoryConversationFeed();
  const inner = options.store ?? new InMemoryConversationStore({ now });
  const store = withConversationFeed(inner, feed);
  const bus = new InMemoryEventBus({ now });
  const brands = new InMemoryBrandDirectory(
    options.brand === null ? [] : [options.brand ?? sampleBrandDocument()],
  );
  const capture = new LogCapture();
  const logs = capture.entries;
  const logger = (component: string) => capture.logger(component, { now });
  const digest = sha256Digest;

  const standin: Standin = createStandin({ now });
  const { url: rootUrl } = await standin.listen(0, '127.0.0.1');
  const client = new BusinessMessagesClient({ rootUrl, auth: 'none', timeoutMs: 5_000 });

  const classifier = makeClassifierHandler({
    store,
    brands,
    bus,
    log: logger('classifier'),
    now,
    digest,
  });
  const automation = makeAutomationHandler({
    brands,
    matcher: keywordIntentMatcher,
    outcomes: store,
    history: store,
    bus,
    log: logger('automation'),
    now,
    digest,
  });
  const liveAgent = makeLiveAgentHandler({
    store,
    brands,
    bus,
    feed,
    log: logger('liveAgent'),
    digest,
  });
  const sender = makeSenderHandler({
    api: client,
    outboundLog: store,
    bus,
    log: logger('sender'),
    now,
    limiter: new ConversationRateLimiter({
      limit: 60,
      windowMs: 60_000,
      maxWaitMs: 5_000,
      now,
      sleep: clock.sleep,
    }),
  });

  const liveAgentOutcomes: LiveAgentOutcome[] = [];
  const cloudEvent = (topic: Topic, m: DeliveredMessage) =>
    toPubSubCloudEvent(`projects/test-project/topics/${topic}`, m);
  bus.subscribe('inbound', async (m) => void (await classifier(cloudEvent('inbound', m))));
  bus.subscribe('automation', async (m) => void (await automation(cloudEvent('automation', m))));
  bus.subscribe('live-agent', async (m) => {
    liveAgentOutcomes.push(await liveAgent(cloudEvent('live-agent', m)));
  });
  bus.subscribe('outbound', async (m) => void (await sender(cloudEvent('outbound', m))));

  const agents = { ...AGENTS, ...options.agents };
  const tokens = Object.fromEntries(
    Object.entries(agents).map(([name, agent]) => [tokenOf(name), AgentRecord.parse(agent)]),
  );
  let ids = 0;
  const functionName = `agentApi-${randomBytes(4).toString('hex')}`;
  const sessions =
    options.sessionTtlMs === undefined
      ? undefined
      : tokenSessions(tokens, { secret: 's'.repeat(32), ttlMs: options.sessionTtlMs, now });
  ff.http(
    functionName,
    makeAgentApiHandler({
      auth: options.auth ?? sessions ?? new TokenAuthenticator(tokens),
      ...(sessions ? { sessions } : {}),
      ...(options.consoleDir !== undefined ? { consoleDir: options.consoleDir } : {}),
      store,
      brands,
      bus,
      feed,
      log: logger('agentApi'),
      now,
      digest,
      newTraceId: () => 'a'.repeat(32),
      newId: () => `fresh-${++ids}`,
      ...(options.sse ? { sse: options.sse } : {}),
    }),
  );
  const server: Server = getTestServer(functionName);

  let sequence = 0;
  /** A webhook body of the customer of `conversationId`, one second after the last. */
  const body = (
    conversationId: string,
    payload: (at: string, n: number) => Record<string, unknown>,
    locale = 'en',
  ): WebhookBody => {
    clock.advance(1000);
    const at = clock.now().toISOString();
    const n = ++sequence;
    return {
      agent: AGENT,
      conversationId,
      requestId: `req-${n}`,
      sendTime: at,
      context: { resolvedLocale: locale, userInfo: { displayName: 'Jane Doe' } },
      ...payload(at, n),
    };
  };

  /** What the webhook does with a body: publish it on `inbound`; then wait for everything. */
  const deliver = async (webhook: WebhookBody) => {
    const event = inboundEvent(webhook);
    await bus.publish('inbound', {
      data: JSON.stringify(webhook),
      attributes: {
        brand: event.brandId,
        agent: event.agent,
        conversation: event.conversationId,
        kind: event.kind,
        dedupeKey: event.dedupeKey,
        traceId: TRACE,
        receivedAt: clock.now().toISOString(),
      },
      orderingKey: event.conversationId,
    });
    await bus.drain();
    return webhook;
  };

  const customer = {
    says: (conversationId: string, text: string, locale?: string) =>
      deliver(
        body(
          conversationId,
          (at, n) => ({
            message: {
              messageId: `msg-${n}`,
              name: `conversations/${conversationId}/messages/msg-${n}`,
              text,
              createTime: at,
            },
          }),
          locale,
        ),
      ),
    asksForAgent: (conversationId: string, locale?: string) =>
      deliver(
        body(
          conversationId,
          (at) => ({ userStatus: { requestedLiveAgent: true, createTime: at } }),
          locale,
        ),
      ),
    types: (conversationId: string, isTyping: boolean) =>
      deliver(body(conversationId, (at) => ({ userStatus: { isTyping, createTime: at } }))),
  };

  const onTopic = (topic: Topic) => bus.published.filter((m) => m.topic === topic);
  const text = (m: { data: Uint8Array }) => Buffer.from(m.data).toString('utf8');

  /** Requests to the agent API as `name` (`token-NAME`), or with other headers. */
  const as = (name: string) => ({
    get: (path: string) =>
      request(server)
        .get(path)
        .set('Authorization', `Bearer ${tokenOf(name)}`),
    post: (path: string, json?: unknown, headers: Record<string, string> = {}) => {
      const call = request(server)
        .post(path)
        .set('Authorization', `Bearer ${tokenOf(name)}`)
        .set(headers);
      return json === undefined ? call : call.send(json as object);
    },
  });

  return {
    clock,
    store,
    inner,
    feed,
    bus,
    brands,
    logs,
    standin,
    server,
    customer,
    as,
    liveAgentOutcomes,
    handlers: { classifier, automation, liveAgent, sender },
    /** Waits until every delivery (and what it caused) is done. */
    settle: () => bus.drain(),
    /** Every command published on `outbound`, in order, for one conversation (or all). */
    outbound: (conversationId?: string): OutboundCommand[] =>
      onTopic('outbound')
        .map((m) => OutboundCommandSchema.parse(JSON.parse(text(m))))
        .filter((c) => conversationId === undefined || c.conversationId === conversationId),
    outboundMessages: () => onTopic('outbound'),
    quarantined: () => onTopic('quarantine'),
    /** What the Business Messages API (the stand-in) accepted for a conversation. */
    accepted: (conversationId: string): ConversationRecord =>
      standin.state.store.conversation(conversationId),
    logEvents: (name: string) => logs.filter((l) => l.event === name),
    close: async () => {
      await bus.drain();
      await standin.close();
    },
  };
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/** A compact picture of a command, for asserting the order on `outbound`. */
export function describeCommand(command: OutboundCommand): string {
  switch (command.type) {
    case 'message':
      return `message ${command.message.representative.representativeType}${
        command.message.representative.representativeType === 'HUMAN'
          ? ` ${command.message.representative.displayName}`
          : ''
      }: ${command.message.text ?? '(rich)'}`;
    case 'event':
      return `event ${command.event.eventType} ${command.event.representative.representativeType}`;
    case 'survey':
      return 'survey';
    case 'receipt':
      return `receipt ${command.messageId} ${command.receiptType}`;
  }
}
