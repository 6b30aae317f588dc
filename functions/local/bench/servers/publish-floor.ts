import * as ff from '@google-cloud/functions-framework';
import type { Response } from '@google-cloud/functions-framework';
import { PubSub } from '@google-cloud/pubsub';
import { PubSubEventBus } from '../../../adapters/pubsub-event-bus';
import { loadConfig, topicIds } from '../../../platform/config';
import { outsideRequestDomain } from '../../../platform/entry';
import { WebhookConfig } from '../../../webhook/config';

/**
 * The deployed webhook's floor on Pub/Sub: a bare functions-framework HTTP function that makes
 * only the publish the webhook makes for an accepted event, and answers as it does. The publish
 * goes through the product's own bus (functions/adapters/pubsub-event-bus.ts), built as
 * functions/webhook/index.ts builds it: the same client, topic settings (ordering on, the same
 * batching and timeout), callback and ordering-key handling; and, as the webhook does, outside
 * the request's `node:domain` (`outsideRequestDomain`). So a cheaper publish path in the product
 * lowers this floor with it. The same bytes (the raw body), the same seven attributes with values
 * of the same sizes, and the conversation as ordering key. It reads those values from the body
 * the framework already parsed, with no signature check, validation, trace or log line, so the
 * webhook's CPU per request over this one's is the price of its own work.
 *
 * Target `publishFloor`; configured from the environment as the webhook is (`GOOGLE_CLOUD_PROJECT`,
 * `PUBSUB_EMULATOR_HOST`, `TOPIC_INBOUND`, `BM_PARTNER_KEY`…).
 */
const config = loadConfig(WebhookConfig);
const bus = new PubSubEventBus(new PubSub({ projectId: config.GOOGLE_CLOUD_PROJECT }), {
  topicIds: topicIds(config),
});

/**
 * A trace ID and a timestamp of the webhook's lengths, so the attributes weigh what the webhook's
 * do; fixed, since making them is the webhook's work, not the publish's.
 */
const TRACE_ID = 'f'.repeat(32);
const RECEIVED_AT = new Date(0).toISOString();

/**
 * The webhook's answer, serialised once and written without Express's `res.json` as the webhook
 * writes it (functions/webhook/handler.ts): `res.json` would add a serialisation and an ETag per
 * request that the webhook does not pay, and raise the floor.
 */
const ACCEPTED = JSON.stringify({ status: 'accepted' });

function answerJson(res: Response, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

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
  // Inside the request's domain every promise of the publish would cost several times more, a
  // cost the webhook does not pay (see `outsideRequestDomain`).
  return outsideRequestDomain(() =>
    bus
      .publish('inbound', {
        data: req.rawBody ?? Buffer.alloc(0),
        attributes: {
          brand,
          agent,
          conversation,
          kind: 'text',
          dedupeKey: `r:${String(body.requestId)}`,
          traceId: TRACE_ID,
          receivedAt: RECEIVED_AT,
        },
        orderingKey: conversation,
      })
      .then(
        () => answerJson(res, 200, ACCEPTED),
        (error: unknown) => answerJson(res, 503, JSON.stringify({ error: String(error) })),
      ),
  );
});
