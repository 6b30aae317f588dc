/**
 * What a brand's figures over a time window are computed from (functions/ops `stats`):
 * totals the store can count itself, and per conversation the facts that need its message log.
 * Production: Firestore (functions/adapters/firestore-conversation-stats.ts).
 */

export interface BrandTotals {
  /** Conversations with any activity since the window's start (`updatedAt`). */
  active: number;
  /** Conversations that began in the window. */
  created: number;
  /** Conversations that (last) entered the queue in the window: handoffs to a human. */
  handedOff: number;
}

/** One conversation's part of the window. */
export interface ConversationFacts {
  conversationId: string;
  customerMessages: number;
  botReplies: number;
  humanReplies: number;
  /** When it last entered the queue, if that was in the window. */
  queuedAt?: string;
  /** The first human event or message after `queuedAt` (the JOINED of the claim). */
  firstHumanAt?: string;
  /** The first human message after `queuedAt`. */
  firstHumanMessageAt?: string;
  /** Ratings of the survey answers given in the window (Google's SurveyRating names). */
  surveyRatings: string[];
}

export interface ConversationStats {
  totals(brandId: string, since: Date): Promise<BrandTotals>;
  /** The facts of every conversation active in the window, page by page. */
  facts(
    brandId: string,
    since: Date,
    onPage?: (done: number) => void,
  ): Promise<ConversationFacts[]>;
}
