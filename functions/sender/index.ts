import { Firestore } from '@google-cloud/firestore';
import * as ff from '@google-cloud/functions-framework';
import { PubSub } from '@google-cloud/pubsub';
import { setTimeout as sleep } from 'node:timers/promises';
import { BusinessMessagesClient } from '../adapters/business-messages-client';
import { FirestoreConversationStore } from '../adapters/firestore-conversation-store';
import { PubSubEventBus } from '../adapters/pubsub-event-bus';
import { CONVERSATION_QUOTA } from '../core/send-policy';
import { loadConfig, topicIds } from '../platform/config';
import { awaitedOutsideRequestDomain, bootstrap } from '../platform/entry';
import { createLogger } from '../platform/logger';
import { SenderConfig } from './config';
import { makeSenderHandler } from './handler';
import { ConversationRateLimiter } from './rate-limiter';

// Everything here is built once per instance; the SDK clients connect, and the API client looks
// up credentials, only on first use.
const handler = bootstrap('sender', () => {
  const config = loadConfig(SenderConfig);
  const log = createLogger({
    project: config.GOOGLE_CLOUD_PROJECT,
    component: 'sender',
    logContent: config.LOG_CONTENT,
  });
  const now = () => new Date();
  const db = new Firestore({
    projectId: config.GOOGLE_CLOUD_PROJECT,
    databaseId: config.FIRESTORE_DATABASE,
  });
  return makeSenderHandler({
    api: new BusinessMessagesClient({
      rootUrl: config.BM_API_ROOT_URL,
      auth: config.BM_API_AUTH,
      timeoutMs: config.BM_API_TIMEOUT_MS,
    }),
    outboundLog: new FirestoreConversationStore(db, { now }),
    bus: new PubSubEventBus(new PubSub({ projectId: config.GOOGLE_CLOUD_PROJECT }), {
      topicIds: topicIds(config),
    }),
    log,
    now,
    limiter: new ConversationRateLimiter({
      limit: config.SEND_RATE_PER_MINUTE,
      windowMs: CONVERSATION_QUOTA.windowMs,
      maxWaitMs: config.SEND_MAX_WAIT_MS,
      now,
      sleep: (ms) => sleep(ms),
    }),
  });
});

// Resolves with nothing, so the framework answers 204 (acknowledged); a throw answers 500 and
// Pub/Sub redelivers.
// The work runs outside the framework's per-request domain, which would track each of its
// promises (awaitedOutsideRequestDomain says why).
ff.cloudEvent('sender', (cloudEvent: unknown) =>
  awaitedOutsideRequestDomain(async () => {
    await handler(cloudEvent);
  }),
);
