import * as z from 'zod';
import { CommonConfig } from '../platform/config';

export const AutomationConfig = CommonConfig.extend({
  /** The Firestore database holding conversations and brands. */
  FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
  /**
   * How long an instance reuses a brand configuration it read: the bound within which an edit
   * reaches the bot (`brandCacheTtlMs`).
   */
  BRAND_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Set on a brand's own deployment (automation-BRAND): the one brand it should see. */
  BRAND_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected a brand ID')
    .optional(),
});
export type AutomationConfig = z.infer<typeof AutomationConfig>;

/**
 * The brand directory's cache TTL. An instance reuses a configuration for this long after it
 * started reading it, and a read started after a write sees the write, so every event the bot
 * handles this long after a brand document is written is answered from the new document, on
 * every instance; events handled sooner may still get the old one. No read per message: one
 * per brand, per instance, per TTL.
 */
export const brandCacheTtlMs = (config: Pick<AutomationConfig, 'BRAND_CACHE_SECONDS'>): number =>
  config.BRAND_CACHE_SECONDS * 1000;
