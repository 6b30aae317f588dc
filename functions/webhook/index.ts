import * as ff from '@google-cloud/functions-framework';
import { PubSub } from '@google-cloud/pubsub';
import { PubSubEventBus } from '../adapters/pubsub-event-bus';
import { loadConfig, topicIds } from '../platform/config';
import { sha256Digest } from '../platform/digest';
import { bootstrap, newTraceId } from '../platform/entry';
import { createLogger } from '../platform/logger';
import { WebhookConfig } from './config';
import { makeWebhookHandler } from './handler';
import { tolerateMalformedJson } from '../platform/malformed-json';

// Before the framework builds its server, so malformed bodies reach us (see the module).
tolerateMalformedJson();

const handler = bootstrap('webhook', () => {
  const config = loadConfig(WebhookConfig);
  const log = createLogger({
    project: config.GOOGLE_CLOUD_PROJECT,
    component: 'webhook',
    logContent: config.LOG_CONTENT,
  });
  const bus = new PubSubEventBus(new PubSub({ projectId: config.GOOGLE_CLOUD_PROJECT }), {
    topicIds: topicIds(config),
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
