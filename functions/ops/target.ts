import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { GoogleAuth } from 'google-auth-library';
import { connect } from 'node:net';
import { FirestoreAgentDirectory } from '../adapters/firestore-agent-directory';
import { FirestoreBrandDirectory } from '../adapters/firestore-brand-directory';
import { FirestoreConversationFeed } from '../adapters/firestore-conversation-feed';
import { FirestoreConversationStats } from '../adapters/firestore-conversation-stats';
import { FirestoreConversationStore } from '../adapters/firestore-conversation-store';
import { PubSubEventBus } from '../adapters/pubsub-event-bus';
import { PubSubHoldSubscriptions } from '../adapters/pubsub-hold-subscriptions';
import { StackConfig } from '../local/stack/config';
import { CommonConfig, loadConfig, topicIds } from '../platform/config';
import type { AgentRecords, WritableAgentDirectory } from '../ports/agent-directory';
import type { BrandDocuments, WritableBrandDirectory } from '../ports/brand-directory';
import type { FeedNoticeRecords } from '../ports/conversation-feed';
import type { ConversationStats } from '../ports/conversation-stats';
import type { ConversationRecords, ConversationStore } from '../ports/conversation-store';
import type { EventBus, Topic } from '../ports/event-bus';
import { OpsError } from './command';

/**
 * Where the toolkit acts, decided before anything is read or written:
 *
 * - `--project P`: the real project, through Application Default Credentials. The emulator
 *   variables are ignored then (the SDKs would otherwise prefer them);
 * - otherwise the emulators named by `PUBSUB_EMULATOR_HOST` and `FIRESTORE_EMULATOR_HOST`, or
 *   else those of the local stack (`npm start`, functions/local/stack/config.ts);
 * - if they don't answer, it says where it would have acted and stops.
 */

export type Target =
  | { kind: 'project'; projectId: string }
  | { kind: 'emulators'; projectId: string; pubsubHost: string; firestoreHost: string };

export function describeTarget(target: Target): string {
  return target.kind === 'project'
    ? `Google Cloud project ${target.projectId}`
    : `the emulators (Pub/Sub ${target.pubsubHost}, Firestore ${target.firestoreHost}, project ${target.projectId})`;
}

export async function resolveTarget(
  project: string | undefined,
  env: Record<string, string | undefined>,
): Promise<Target> {
  if (project !== undefined) {
    if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(project)) {
      throw new OpsError(`--project ${project}: not a Google Cloud project ID`);
    }
    try {
      await new GoogleAuth({
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      }).getClient();
    } catch (error) {
      throw new OpsError(
        `--project ${project}: no Application Default Credentials (${(error as Error).message.split('\n')[0]}). ` +
          'Run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS. Nothing was done.',
      );
    }
    return { kind: 'project', projectId: project };
  }
  const stack = StackConfig.parse(env);
  const pubsubHost =
    env.PUBSUB_EMULATOR_HOST || `${stack.BM_STACK_HOST}:${stack.PUBSUB_EMULATOR_PORT}`;
  const firestoreHost =
    env.FIRESTORE_EMULATOR_HOST || `${stack.BM_STACK_HOST}:${stack.FIRESTORE_EMULATOR_PORT}`;
  const projectId = env.GOOGLE_CLOUD_PROJECT || env.PUBSUB_PROJECT_ID || stack.GOOGLE_CLOUD_PROJECT;
  const down = (
    await Promise.all(
      [
        ['Pub/Sub', pubsubHost],
        ['Firestore', firestoreHost],
      ].map(async ([name, host]) => ((await answers(host ?? '')) ? [] : [`${name} at ${host}`])),
    )
  ).flat();
  if (down.length > 0) {
    throw new OpsError(
      `no --project given, so this would act on the local emulators (project ${projectId}), ` +
        `but nothing answers: ${down.join(', ')}. Start the local stack (npm start), set ` +
        'PUBSUB_EMULATOR_HOST and FIRESTORE_EMULATOR_HOST, or name a project with --project P. Nothing was done.',
    );
  }
  return { kind: 'emulators', projectId, pubsubHost, firestoreHost };
}

/** Whether something accepts TCP connections at `host:port` within a second. */
function answers(hostPort: string): Promise<boolean> {
  const at = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(at + 1));
  if (at < 0 || !Number.isInteger(port)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * The adapters the functions use, built for where the toolkit acts; verbs see them through the
 * ports (the hold subscriptions are Pub/Sub's own notion, so that one is the adapter itself).
 */
export interface Clients {
  target: Target;
  pubsub: PubSub;
  store: ConversationStore & ConversationRecords;
  brands: WritableBrandDirectory & BrandDocuments;
  agents: WritableAgentDirectory & AgentRecords;
  feed: FeedNoticeRecords;
  stats: ConversationStats;
  holds: PubSubHoldSubscriptions;
  bus: EventBus;
  topicIds: Record<Topic, string>;
  close(): Promise<void>;
}

export function openClients(target: Target, env: Record<string, string | undefined>): Clients {
  // The SDKs read the emulator variables from the process itself, and prefer them to settings.
  if (target.kind === 'project') {
    delete process.env.PUBSUB_EMULATOR_HOST;
    delete process.env.FIRESTORE_EMULATOR_HOST;
  } else {
    process.env.PUBSUB_EMULATOR_HOST = target.pubsubHost;
    process.env.FIRESTORE_EMULATOR_HOST = target.firestoreHost;
  }
  const config = loadConfig(CommonConfig, { ...env, GOOGLE_CLOUD_PROJECT: target.projectId });
  const ids = topicIds(config);
  const firestore = new Firestore({
    projectId: target.projectId,
    ...(env.FIRESTORE_DATABASE ? { databaseId: env.FIRESTORE_DATABASE } : {}),
  });
  const pubsub = new PubSub({ projectId: target.projectId });
  // An operator's reads must see what is stored now: no caching.
  const bus = new PubSubEventBus(pubsub, { topicIds: ids, publishTimeoutMs: 30_000 });
  return {
    target,
    pubsub,
    store: new FirestoreConversationStore(firestore),
    brands: new FirestoreBrandDirectory(firestore, { cacheTtlMs: 0 }),
    agents: new FirestoreAgentDirectory(firestore, { cacheTtlMs: 0 }),
    feed: new FirestoreConversationFeed(firestore),
    stats: new FirestoreConversationStats(firestore),
    holds: new PubSubHoldSubscriptions(pubsub, target.projectId),
    bus,
    topicIds: ids,
    close: async () => {
      await bus.close();
      await firestore.terminate();
    },
  };
}
