import type * as FirestoreSdk from '@google-cloud/firestore';
import * as ff from '@google-cloud/functions-framework';
import type * as PubSubSdk from '@google-cloud/pubsub';
import type * as BusinessMessagesSdk from 'businessmessages';

/**
 * A function's cold-start floor: functions-framework plus the SDK packages the function imports
 * (`BENCH_FLOOR_SDKS`, comma-separated), answering the function's first request (same signature
 * type, `BENCH_FLOOR_SIGNATURE`) trivially.
 *
 * With `BENCH_FLOOR_USE` (comma-separated, in order, repeats allowed) the request first makes
 * those calls, each the least of its kind:
 * - `firestore`: a document read; `firestore-query`: a query of one document;
 *   `firestore-write`: one document written; `firestore-transaction`: the least that
 *   exactly-once state needs, a transaction reading three documents and writing two;
 * - `pubsub`: a publish with an ordering key;
 * - `api`: a Business Messages API call to the stand-in.
 * One call per SDK is the "first-use floor": what the SDKs cost on first use. The same calls as
 * the function's first request makes is the "first-request floor": what remains above it is
 * what the product's own code adds.
 */
const sdks = (process.env.BENCH_FLOOR_SDKS ?? '').split(',').filter((s) => s !== '');
for (const sdk of sdks) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading by name is the point
  require(sdk);
}
const uses = (process.env.BENCH_FLOOR_USE ?? '').split(',').filter((s) => s !== '');
const project = process.env.GOOGLE_CLOUD_PROJECT ?? 'bm-pipeline-local';
/** Unique per call: a floor's writes never collide with another run's. */
let calls = 0;
const unique = () => `floor-${process.pid}-${Date.now()}-${++calls}`;

/* eslint-disable @typescript-eslint/no-require-imports -- only the SDKs this floor was given */
const clients = {
  firestore: once(() => {
    const { Firestore } = require('@google-cloud/firestore') as typeof FirestoreSdk;
    return new Firestore({ projectId: project });
  }),
  topic: once(() => {
    const { PubSub } = require('@google-cloud/pubsub') as typeof PubSubSdk;
    return new PubSub({ projectId: project }).topic('quarantine', {
      messageOrdering: true,
      batching: { maxMessages: 100, maxMilliseconds: 1 },
    });
  }),
  api: once(() => {
    const { businessmessages_v1 } = require('businessmessages') as typeof BusinessMessagesSdk;
    return new businessmessages_v1.Businessmessages({
      rootUrl: process.env.BM_API_ROOT_URL ?? 'http://127.0.0.1:8082/',
      retry: false,
      fetchImplementation: (input, init) => fetch(input, init),
    });
  }),
};
/* eslint-enable @typescript-eslint/no-require-imports */

const callOf: Record<string, () => Promise<unknown>> = {
  firestore: () => clients.firestore().collection('brands').doc('velo-cafe').get(),
  'firestore-query': () =>
    clients.firestore().collection('conversations').where('state', '==', 'queued').limit(1).get(),
  'firestore-write': () =>
    clients.firestore().collection('floor').doc(unique()).create({ at: new Date() }),
  'firestore-transaction': () => {
    const db = clients.firestore();
    const conversation = db.collection('floor').doc(unique());
    const marker = conversation.collection('messages').doc('m');
    const tombstone = db.collection('floor-erasures').doc(conversation.id);
    return db.runTransaction(async (tx) => {
      await tx.getAll(conversation, marker, tombstone);
      tx.set(conversation, { version: 1 });
      tx.create(marker, { at: new Date() });
    });
  },
  pubsub: () => clients.topic().publishMessage({ data: Buffer.from('{}'), orderingKey: 'floor' }),
  api: () =>
    clients.api().conversations.events.create({
      parent: `conversations/floor-${process.pid}`,
      eventId: unique(),
      requestBody: { eventType: 'TYPING_STARTED', representative: { representativeType: 'BOT' } },
    }),
};
const planned = uses.map((use) => {
  const call = callOf[use];
  if (!call) throw new Error(`BENCH_FLOOR_USE: unknown use ${use}`);
  // The clients are made at load, as the functions make theirs.
  (use === 'pubsub' ? clients.topic : use === 'api' ? clients.api : clients.firestore)();
  return call;
});

const useAll = async () => {
  for (const call of planned) await call();
};

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

if (process.env.BENCH_FLOOR_SIGNATURE === 'cloudevent') {
  ff.cloudEvent('floor', () => useAll());
} else {
  ff.http('floor', (_req, res) => {
    useAll().then(
      () => res.status(200).json({ status: 'ok' }),
      (error: unknown) => res.status(500).json({ error: String(error) }),
    );
  });
}
