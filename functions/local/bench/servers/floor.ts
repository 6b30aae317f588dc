import type * as FirestoreSdk from '@google-cloud/firestore';
import * as ff from '@google-cloud/functions-framework';
import type * as PubSubSdk from '@google-cloud/pubsub';
import type * as BusinessMessagesSdk from 'businessmessages';

/**
 * A function's cold-start floor: functions-framework plus the SDK packages the function imports
 * (`BENCH_FLOOR_SDKS`, comma-separated), answering the function's first request (same signature
 * type, `BENCH_FLOOR_SIGNATURE`) trivially.
 *
 * With `BENCH_FLOOR_USE` (comma-separated `firestore`, `pubsub`, `api`) the request first makes
 * one minimal call with each SDK, as the function's first request does: a document read, a
 * publish with ordering, an API call to the stand-in. That "first-use floor" separates what the
 * SDKs cost on first use from what the product's own code adds.
 */
const sdks = (process.env.BENCH_FLOOR_SDKS ?? '').split(',').filter((s) => s !== '');
for (const sdk of sdks) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading by name is the point
  require(sdk);
}
const uses = new Set((process.env.BENCH_FLOOR_USE ?? '').split(',').filter((s) => s !== ''));
const project = process.env.GOOGLE_CLOUD_PROJECT ?? 'bm-pipeline-local';

/* eslint-disable @typescript-eslint/no-require-imports -- only the SDKs this floor was given */
const firstUse: (() => Promise<unknown>)[] = [];
if (uses.has('firestore')) {
  const { Firestore } = require('@google-cloud/firestore') as typeof FirestoreSdk;
  const db = new Firestore({ projectId: project });
  firstUse.push(() => db.collection('brands').doc('velo-cafe').get());
}
if (uses.has('pubsub')) {
  const { PubSub } = require('@google-cloud/pubsub') as typeof PubSubSdk;
  const topic = new PubSub({ projectId: project }).topic('quarantine', {
    messageOrdering: true,
    batching: { maxMessages: 100, maxMilliseconds: 1 },
  });
  firstUse.push(() => topic.publishMessage({ data: Buffer.from('{}'), orderingKey: 'floor' }));
}
if (uses.has('api')) {
  const { businessmessages_v1 } = require('businessmessages') as typeof BusinessMessagesSdk;
  const api = new businessmessages_v1.Businessmessages({
    rootUrl: process.env.BM_API_ROOT_URL ?? 'http://127.0.0.1:8082/',
    retry: false,
    fetchImplementation: (input, init) => fetch(input, init),
  });
  firstUse.push(() =>
    api.conversations.events.create({
      parent: `conversations/floor-${process.pid}`,
      eventId: `floor-${Date.now()}`,
      requestBody: { eventType: 'TYPING_STARTED', representative: { representativeType: 'BOT' } },
    }),
  );
}
/* eslint-enable @typescript-eslint/no-require-imports */

const useAll = async () => {
  for (const use of firstUse) await use();
};

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
