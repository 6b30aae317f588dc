import { Firestore } from '@google-cloud/firestore';
import * as ff from '@google-cloud/functions-framework';
import { PubSub } from '@google-cloud/pubsub';
import { FirestoreBrandDirectory } from '../adapters/firestore-brand-directory';
import { FirestoreConversationFeed } from '../adapters/firestore-conversation-feed';
import { FirestoreConversationStore } from '../adapters/firestore-conversation-store';
import { PubSubEventBus } from '../adapters/pubsub-event-bus';
import { loadConfig, topicIds } from '../platform/config';
import { sha256Digest } from '../platform/digest';
import { awaitedOutsideRequestDomain, bootstrap } from '../platform/entry';
import { createLogger } from '../platform/logger';
import { LiveAgentConfig } from './config';
import { makeLiveAgentHandler } from './handler';

const handler = bootstrap('liveAgent', () => {
  const config = loadConfig(LiveAgentConfig);
  const log = createLogger({
    project: config.GOOGLE_CLOUD_PROJECT,
    component: 'liveAgent',
    logContent: config.LOG_CONTENT,
  });
  const db = new Firestore({
    projectId: config.GOOGLE_CLOUD_PROJECT,
    databaseId: config.FIRESTORE_DATABASE,
  });
  const now = () => new Date();
  return makeLiveAgentHandler({
    store: new FirestoreConversationStore(db, { now }),
    brands: new FirestoreBrandDirectory(db),
    bus: new PubSubEventBus(new PubSub({ projectId: config.GOOGLE_CLOUD_PROJECT }), {
      topicIds: topicIds(config),
    }),
    feed: new FirestoreConversationFeed(db, { now }),
    log,
    digest: sha256Digest,
  });
});

// Resolves with nothing, so the framework answers 204 (acknowledged); a throw answers 500.
// The work runs outside the framework's per-request domain, which would track each of its
// promises (awaitedOutsideRequestDomain says why).
ff.cloudEvent('liveAgent', (cloudEvent: ff.CloudEvent<unknown>) =>
  awaitedOutsideRequestDomain(async () => {
    await handler(cloudEvent);
  }),
);
