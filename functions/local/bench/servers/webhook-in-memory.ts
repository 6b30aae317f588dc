import * as ff from '@google-cloud/functions-framework';
import { InMemoryEventBus } from '../../../adapters/in-memory-event-bus';
import { sha256Digest } from '../../../platform/digest';
import { bootstrap, newTraceId } from '../../../platform/entry';
import { loadConfig } from '../../../platform/config';
import { createLogger } from '../../../platform/logger';
import type { EventBus } from '../../../ports/event-bus';
import { WebhookConfig } from '../../../webhook/config';
import { makeWebhookHandler } from '../../../webhook/handler';
import { tolerateMalformedJson } from '../../../platform/malformed-json';

/**
 * The deployed webhook's wiring (functions/webhook/index.ts) with the in-memory bus in place of
 * Pub/Sub: the same handler, configuration, logger (JSON lines on stdout) and framework.
 * Nothing subscribes to `inbound`. The in-memory bus also keeps every published message for
 * tests to look at; here that record is dropped at once, since a deployed webhook keeps nothing
 * either (a heap that grew through the run would bill the webhook for garbage collection).
 */
tolerateMalformedJson();

const memory = new InMemoryEventBus();
const bus: EventBus = {
  publish: (topic, message) => {
    const published = memory.publish(topic, message);
    memory.published.length = 0;
    return published;
  },
};

const handler = bootstrap('webhook', () => {
  const config = loadConfig(WebhookConfig);
  const log = createLogger({
    project: config.GOOGLE_CLOUD_PROJECT,
    component: 'webhook',
    logContent: config.LOG_CONTENT,
  });
  return makeWebhookHandler({
    config,
    bus,
    log,
    now: () => new Date(),
    newTraceId,
    digest: sha256Digest,
  });
});

ff.http('webhook', handler);
