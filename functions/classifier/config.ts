import * as z from 'zod';
import { CommonConfig } from '../platform/config';

export const ClassifierConfig = CommonConfig.extend({
  /** The Firestore database holding conversations and brands. */
  FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
});
export type ClassifierConfig = z.infer<typeof ClassifierConfig>;
