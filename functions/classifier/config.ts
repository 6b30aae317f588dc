import * as z from 'zod';
import { CommonConfig } from '../platform/config';

export const ClassifierConfig = CommonConfig.extend({
  /** The Firestore database holding conversations and brands. */
  FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
  /**
   * Conversations an instance remembers as it last wrote them (0: none), so that its next
   * message to one costs one Firestore round trip and no read instead of a transaction's two
   * (FirestoreConversationStore's `rememberConversations`). A few KB each.
   */
  REMEMBERED_CONVERSATIONS: z.coerce.number().int().min(0).max(100_000).default(5_000),
});
export type ClassifierConfig = z.infer<typeof ClassifierConfig>;
