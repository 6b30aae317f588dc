import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeAgentApiHandler } from '../../agent-api/handler';
import { tokenSessions } from '../../agent-api/session';
import { BusinessMessagesClient } from '../../adapters/business-messages-client';
import { InMemoryBrandDirectory } from '../../adapters/in-memory-brand-directory';
import {
  InMemoryConversationFeed,
  withConversationFeed,
} from '../../adapters/in-memory-conversation-feed';
import { InMemoryConversationStore } from '../../adapters/in-memory-conversation-store';
import { InMemoryEventBus, type DeliveredMessage } from '../../adapters/in-memory-event-bus';
import { makeAutomationHandler } from '../../automation/handler';
import { makeClassifierHandler } from '../../classifier/handler';
import { keywordIntentMatcher } from '../../ports/intent-matcher';
import { makeLiveAgentHandler } from '../../live-agent/handler';
import type { Topic } from '../../ports/event-bus';
import { sha256Digest } from '../../platform/digest';
import { newId, newTraceId } from '../../platform/entry';
import { createLogger, type Logger } from '../../platform/logger';
import { toPubSubCloudEvent } from '../../platform/pubsub-cloud-event';
import { CONVERSATION_QUOTA } from '../../core/send-policy';
import { makeSenderHandler } from '../../sender/handler';
import { ConversationRateLimiter } from '../../sender/rate-limiter';
import { makeWebhookHandler } from '../../webhook/handler';
import { tolerateMalformedJson } from '../../platform/malformed-json';
import { createStandin } from '../bm-api-standin/server';
import { devAgentTokens } from '../sample-agents';
import { sampleBrandDocuments } from '../sample-brand';
import type { StackConfig } from './config';
import type { RunningStack } from './emulator-stack';

export interface EmbeddedStack extends RunningStack {
  bus: InMemoryEventBus;
  store: InMemoryConversationStore;
}

/**
 * The whole product in one process, for machines without the emulators and for benchmarks:
 * the same handlers as deployed, wired to the in-memory bus and store. Each Pub/Sub delivery is
 * handed to its function as the CloudEvent functions-framework would build, so the same parsing
 * runs; the webhook and agent API are served by functions-framework's own HTTP stack.
 */
export async function startEmbeddedStack(
  config: StackConfig,
  options: { log?: (line: string) => void } = {},
): Promise<EmbeddedStack> {
  tolerateMalformedJson();
  const write = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const project = config.GOOGLE_CLOUD_PROJECT;
  const logger = (component: string): Logger =>
    createLogger({ project, component, logContent: false, write });
  const now = () => new Date();
  const host = config.BM_STACK_HOST;

  const bus = new InMemoryEventBus({ maxDeliveryAttempts: 10 });
  const feed = new InMemoryConversationFeed();
  // Every function shares one store whose writes also reach the agents' live feed.
  const memory = new InMemoryConversationStore({ now });
  const store = withConversationFeed(memory, feed);
  const samples = sampleBrandDocuments();
  const brands = new InMemoryBrandDirectory(samples);

  const standin = createStandin();
  const { url: standinUrl } = await standin.listen(config.BM_STANDIN_PORT, host);

  const handlers: Record<Exclude<Topic, 'quarantine'>, (event: unknown) => Promise<unknown>> = {
    inbound: makeClassifierHandler({
      store,
      brands,
      bus,
      log: logger('classifier'),
      now,
      digest: sha256Digest,
    }),
    automation: makeAutomationHandler({
      brands,
      matcher: keywordIntentMatcher,
      outcomes: store,
      history: store,
      bus,
      log: logger('automation'),
      now,
      digest: sha256Digest,
    }),
    'live-agent': makeLiveAgentHandler({
      store,
      brands,
      bus,
      feed,
      log: logger('liveAgent'),
      digest: sha256Digest,
    }),
    outbound: makeSenderHandler({
      api: new BusinessMessagesClient({ rootUrl: standinUrl, auth: 'none', timeoutMs: 15_000 }),
      outboundLog: store,
      bus,
      log: logger('sender'),
      now,
      limiter: new ConversationRateLimiter({
        limit: CONVERSATION_QUOTA.limit,
        windowMs: CONVERSATION_QUOTA.windowMs,
        maxWaitMs: 5_000,
        now,
        sleep: (ms) => sleep(ms),
      }),
    }),
  };
  for (const [topic, handle] of Object.entries(handlers) as [
    Topic,
    (e: unknown) => Promise<unknown>,
  ][]) {
    bus.subscribe(topic, async (message: DeliveredMessage) => {
      await handle(toPubSubCloudEvent(`projects/${project}/topics/${topic}`, message));
    });
  }
  const quarantineLog = logger('quarantine');
  bus.subscribe('quarantine', (message) => {
    quarantineLog.warn('quarantined', {
      event: 'event_quarantined',
      attributes: message.attributes,
    });
    return Promise.resolve();
  });

  // Unique names: several embedded stacks may share a process (tests, benchmarks).
  const suffix = Math.random().toString(36).slice(2, 8);
  ff.http(
    `webhook-${suffix}`,
    makeWebhookHandler({
      config: {
        BM_PARTNER_KEY: config.BM_PARTNER_KEY,
        BM_CLIENT_TOKEN: config.BM_CLIENT_TOKEN,
        WEBHOOK_MAX_BODY_BYTES: 256 * 1024,
      },
      bus,
      log: logger('webhook'),
      now,
      newTraceId,
      digest: sha256Digest,
    }),
  );
  // The dev agents sign in to the console with their tokens, as with `npm start` on emulators.
  const sessions = tokenSessions(devAgentTokens(), {
    secret: undefined,
    ttlMs: 8 * 3_600_000,
    now,
  });
  ff.http(
    `agentApi-${suffix}`,
    makeAgentApiHandler({
      auth: sessions,
      sessions,
      store,
      brands,
      bus,
      feed,
      log: logger('agentApi'),
      now,
      digest: sha256Digest,
      newTraceId,
      newId,
      sse: { heartbeatMs: 15_000, maxStreamMs: 240_000 },
    }),
  );
  const servers: Server[] = [];
  const serve = async (name: string, port: number) => {
    const server = getTestServer(name);
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    return `http://${host}:${typeof address === 'object' && address ? address.port : port}/`;
  };
  const webhookUrl = await serve(`webhook-${suffix}`, config.WEBHOOK_PORT);
  const agentApiUrl = await serve(`agentApi-${suffix}`, config.AGENT_API_PORT);

  return {
    urls: { webhook: webhookUrl, agentApi: agentApiUrl, standin: standinUrl },
    skipped: [],
    bus,
    store: memory,
    stop: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
      await bus.drain();
      await standin.close();
    },
  };
}
