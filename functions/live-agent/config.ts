import * as z from 'zod';
import { CommonConfig } from '../platform/config';

export const LiveAgentConfig = CommonConfig.extend({
  /** The Firestore database holding conversations, brands and the agents' feed. */
  FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
});
export type LiveAgentConfig = z.infer<typeof LiveAgentConfig>;
