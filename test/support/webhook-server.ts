import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { EventBus } from '../../functions/ports/event-bus';
import { sha256Digest } from '../../functions/platform/digest';
import { makeWebhookHandler } from '../../functions/webhook/handler';
import { tolerateMalformedJson } from '../../functions/platform/malformed-json';
import { signBody } from '../../functions/webhook/signature';
import { LogCapture } from './log-capture';

export const PARTNER_KEY = 'test-partner-key';
export const CLIENT_TOKEN = 'test-client-token';
export const FIXED_NOW = new Date('2026-11-25T12:00:00.000Z');

/** The webhook under functions-framework's own test server, wired to `bus`. */
export function webhookServer(
  bus: EventBus,
  options: { maxBodyBytes?: number; logs?: string[]; logContent?: boolean } = {},
): Server {
  tolerateMalformedJson();
  const name = `webhook-${randomBytes(4).toString('hex')}`;
  ff.http(
    name,
    makeWebhookHandler({
      config: {
        BM_PARTNER_KEY: PARTNER_KEY,
        BM_CLIENT_TOKEN: CLIENT_TOKEN,
        WEBHOOK_MAX_BODY_BYTES: options.maxBodyBytes ?? 256 * 1024,
      },
      bus,
      log: new LogCapture(options.logs).logger('webhook', {
        logContent: options.logContent ?? false,
      }),
      now: () => FIXED_NOW,
      newTraceId: () => 'f'.repeat(32),
      digest: sha256Digest,
    }),
  );
  return getTestServer(name);
}

export const signed = (body: string, key = PARTNER_KEY) => ({
  'Content-Type': 'application/json',
  'X-Goog-Signature': signBody(body, key),
});
