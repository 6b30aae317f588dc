import { Firestore } from '@google-cloud/firestore';
import * as ff from '@google-cloud/functions-framework';
import { PubSub } from '@google-cloud/pubsub';
import { FirestoreAgentDirectory } from '../adapters/firestore-agent-directory';
import { FirestoreBrandDirectory } from '../adapters/firestore-brand-directory';
import { FirestoreConversationFeed } from '../adapters/firestore-conversation-feed';
import { FirestoreConversationStore } from '../adapters/firestore-conversation-store';
import { IapAgentAuthenticator, IapJwtVerifier } from '../adapters/iap-agent-authenticator';
import { PubSubEventBus } from '../adapters/pubsub-event-bus';
import { loadConfig, topicIds } from '../platform/config';
import { sha256Digest } from '../platform/digest';
import { bootstrap, newId, newTraceId } from '../platform/entry';
import { createLogger } from '../platform/logger';
import { tolerateMalformedJson } from '../platform/malformed-json';
import { AgentApiConfig } from './config';
import { makeAgentApiHandler } from './handler';
import { tokenSessions } from './session';

// Before the framework builds its server, so a malformed body gets our 400, not the framework's.
tolerateMalformedJson();

const handler = bootstrap('agentApi', () => {
  const config = loadConfig(AgentApiConfig);
  const log = createLogger({
    project: config.GOOGLE_CLOUD_PROJECT,
    component: 'agentApi',
    logContent: config.LOG_CONTENT,
  });
  const db = new Firestore({
    projectId: config.GOOGLE_CLOUD_PROJECT,
    databaseId: config.FIRESTORE_DATABASE,
  });
  const now = () => new Date();
  // Behind IAP the proxy signs agents in; with tokens, the console trades one for a session.
  const sessions =
    config.AGENT_AUTH === 'iap'
      ? undefined
      : tokenSessions(config.AGENT_TOKENS, {
          secret: config.AGENT_SESSION_SECRET,
          ttlMs: config.AGENT_SESSION_TTL_MS,
          now,
        });
  const auth =
    sessions ??
    new IapAgentAuthenticator(
      // The config's refinement guarantees the audience in this mode.
      new IapJwtVerifier({ audience: config.IAP_AUDIENCE ?? '' }),
      new FirestoreAgentDirectory(db),
    );
  log.info(`agent API authenticates with ${config.AGENT_AUTH}`, {
    event: 'agent_api_started',
    auth: config.AGENT_AUTH,
  });
  return makeAgentApiHandler({
    auth,
    ...(sessions ? { sessions } : {}),
    store: new FirestoreConversationStore(db, { now }),
    brands: new FirestoreBrandDirectory(db),
    bus: new PubSubEventBus(new PubSub({ projectId: config.GOOGLE_CLOUD_PROJECT }), {
      topicIds: topicIds(config),
    }),
    feed: new FirestoreConversationFeed(db, {
      now,
      onInvalid: (path, problem) =>
        log.warn(`feed document ${path} skipped: ${problem}`, { event: 'agent_api_feed_invalid' }),
    }),
    log,
    now,
    digest: sha256Digest,
    newTraceId,
    newId,
    sse: {
      heartbeatMs: config.AGENT_API_SSE_HEARTBEAT_MS,
      maxStreamMs: config.AGENT_API_SSE_MAX_MS,
    },
  });
});

ff.http('agentApi', handler);
