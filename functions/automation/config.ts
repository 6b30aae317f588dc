import { z } from 'zod';
import { CommonConfig } from '../platform/config';

export const AutomationConfig = CommonConfig.extend({
  /** The Firestore database holding conversations and brands. */
  FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
  /** How long an instance reuses a brand configuration it read; an edit is live within it. */
  BRAND_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Set on a brand's own deployment (automation-BRAND): the one brand it should see. */
  BRAND_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected a brand ID')
    .optional(),
});
export type AutomationConfig = z.infer<typeof AutomationConfig>;
