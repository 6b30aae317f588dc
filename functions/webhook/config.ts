import * as z from 'zod';
import { CommonConfig } from '../platform/config';

const DEV_PARTNER_KEY = 'dev-partner-key';
const DEV_CLIENT_TOKEN = 'dev-client-token';

export const WebhookConfig = CommonConfig.extend({
  /** HMAC key for X-Goog-Signature: the partner key Google issued at registration. */
  BM_PARTNER_KEY: z.string().min(1).default(DEV_PARTNER_KEY),
  /** The webhook's client token: answers the registration handshake, and is a signing key too. */
  BM_CLIENT_TOKEN: z.string().min(1).default(DEV_CLIENT_TOKEN),
  /** Google's events are a few KiB; anything near this limit is not from Google. */
  WEBHOOK_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(32 * 1024 * 1024)
    .default(256 * 1024),
}).superRefine((config, ctx) => {
  // Deployed (Cloud Run sets K_SERVICE), the development secrets would let anyone forge events.
  if (config.K_SERVICE === undefined) return;
  if (config.BM_PARTNER_KEY === DEV_PARTNER_KEY) {
    ctx.addIssue({
      code: 'custom',
      path: ['BM_PARTNER_KEY'],
      message: 'the development key is refused when deployed',
    });
  }
  if (config.BM_CLIENT_TOKEN === DEV_CLIENT_TOKEN) {
    ctx.addIssue({
      code: 'custom',
      path: ['BM_CLIENT_TOKEN'],
      message: 'the development token is refused when deployed',
    });
  }
});
export type WebhookConfig = z.infer<typeof WebhookConfig>;
