import { Firestore } from '@google-cloud/firestore';
import * as ff from '@google-cloud/functions-framework';
import { PubSub } from '@google-cloud/pubsub';
import { FirestoreBrandDirectory } from '../adapters/firestore-brand-directory';
import { FirestoreConversationStore } from '../adapters/firestore-conversation-store';
import { PubSubEventBus } from '../adapters/pubsub-event-bus';
import { loadConfig, topicIds } from '../platform/config';
import { sha256Digest } from '../platform/digest';
import { awaitedOutsideRequestDomain, bootstrap } from '../platform/entry';
import { createLogger } from '../platform/logger';
import { keywordIntentMatcher } from '../ports/intent-matcher';
import { AutomationConfig, brandCacheTtlMs } from './config';
import { makeAutomationHandler } from './handler';

const handler = bootstrap('automation', () => {
  const config = loadConfig(AutomationConfig);
  const log = createLogger({
    project: config.GOOGLE_CLOUD_PROJECT,
    component: 'automation',
    logContent: config.LOG_CONTENT,
  });
  const db = new Firestore({
    projectId: config.GOOGLE_CLOUD_PROJECT,
    databaseId: config.FIRESTORE_DATABASE,
  });
  const now = () => new Date();
  const store = new FirestoreConversationStore(db, { now });
  return makeAutomationHandler({
    brands: new FirestoreBrandDirectory(db, { cacheTtlMs: brandCacheTtlMs(config) }),
    matcher: keywordIntentMatcher,
    outcomes: store,
    history: store,
    bus: new PubSubEventBus(new PubSub({ projectId: config.GOOGLE_CLOUD_PROJECT }), {
      topicIds: topicIds(config),
    }),
    log,
    now,
    digest: sha256Digest,
    ...(config.BRAND_ID !== undefined ? { brandId: config.BRAND_ID } : {}),
  });
});

// Resolves with nothing, so the framework answers 204 (acknowledged); a throw answers 500.
// The work runs outside the framework's per-request domain, which would track each of its
// promises (awaitedOutsideRequestDomain says why).
ff.cloudEvent('automation', (cloudEvent: ff.CloudEvent<unknown>) =>
  awaitedOutsideRequestDomain(async () => {
    await handler(cloudEvent);
  }),
);
