import * as ff from '@google-cloud/functions-framework';
import { PubSub } from '@google-cloud/pubsub';
import {
  DEFAULT_BATCH_DELAY_MS,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  publishOptions,
} from '../../../adapters/pubsub-event-bus';

/**
 * The deployed webhook's floor on Pub/Sub: a bare functions-framework HTTP function that makes
 * only the publish the webhook makes for an accepted event, and answers as it does. Same client,
 * same topic settings (the adapter's own `publishOptions`: ordering on, the same batching and
 * timeout), the same bytes (the raw body), the same seven attributes with values of the same
 * sizes, and the conversation as ordering key. It reads those values from the body the framework
 * already parsed, with no signature check, validation, trace or log line: it is the bare function
 * (servers/bare.ts) plus the publish, so the webhook's CPU per request over this one's is the
 * price of its own work.
 *
 * Target `publishFloor`; `GOOGLE_CLOUD_PROJECT`, `PUBSUB_EMULATOR_HOST` and `TOPIC_INBOUND`
 * (default `inbound`) as the webhook reads them.
 */
const topic = new PubSub({ projectId: process.env.GOOGLE_CLOUD_PROJECT }).topic(
  process.env.TOPIC_INBOUND ?? 'inbound',
  publishOptions({
    timeoutMs: DEFAULT_PUBLISH_TIMEOUT_MS,
    batchDelayMs: DEFAULT_BATCH_DELAY_MS,
  }),
);

/** A trace ID's length, so the attributes weigh what the webhook's do. */
const TRACE_ID = 'f'.repeat(32);

interface EventIds {
  conversationId?: unknown;
  agent?: unknown;
  requestId?: unknown;
}

ff.http('publishFloor', (req, res) => {
  const body = (req.body ?? {}) as EventIds;
  const conversation = String(body.conversationId);
  const agent = String(body.agent);
  const [, brand = ''] = agent.split('/');
  topic
    .publishMessage({
      data: req.rawBody ?? Buffer.alloc(0),
      attributes: {
        brand,
        agent,
        conversation,
        kind: 'text',
        dedupeKey: `r:${String(body.requestId)}`,
        traceId: TRACE_ID,
        receivedAt: new Date().toISOString(),
      },
      orderingKey: conversation,
    })
    .then(
      // Answered as the bare function answers (servers/bare.ts): this is that function plus the
      // publish.
      () => res.status(200).json({ status: 'accepted' }),
      (error: unknown) => res.status(503).json({ error: String(error) }),
    );
});
