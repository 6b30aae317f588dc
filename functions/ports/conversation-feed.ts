import type { Conversation } from '../core/conversation';
import type { FeedNotice } from '../core/feed-notice';

/**
 * What the agents' consoles watch (the agent API's `GET /events`): the live conversations of
 * their brands (`queued`, `with_agent`) as they change, and the customers' typing and messages.
 * Production: Firestore snapshot listeners (functions/adapters/firestore-conversation-feed.ts);
 * tests and the one-process local mode: in memory.
 */

export type FeedEvent =
  /** A live conversation appeared or changed (first, every live one of the brands: a snapshot). */
  | { type: 'conversation.updated'; conversation: Conversation }
  /** A conversation left the live states (back to the bot, closed): drop it from the queue. */
  | { type: 'conversation.removed'; conversationId: string; brandId: string }
  /** The initial snapshot is complete; what follows are changes. */
  | { type: 'ready' }
  | { type: 'notice'; notice: FeedNotice };

export interface FeedWatcher {
  event(event: FeedEvent): void;
  /** The feed broke (listener error); the subscription is over. */
  error(error: unknown): void;
}

export interface ConversationFeed {
  /** Starts delivering the brands' events to `watcher`; the returned function stops it. */
  watch(brandIds: readonly string[], watcher: FeedWatcher): () => void;
}

/** The live-agent function's side: notices about customers. */
export interface FeedNotices {
  /** Idempotent on `notice.key`: a redelivered notice is delivered once. */
  publish(notice: FeedNotice): Promise<void>;
}

/**
 * The notices kept about one conversation, as an operator reads and erases them for a
 * customer's data request (functions/ops). Without `brandId`, every brand's are searched.
 */
export interface FeedNoticeRecords {
  conversationNotices(conversationId: string, brandId?: string): Promise<FeedNotice[]>;
  /** Deletes them; how many there were. */
  eraseNotices(conversationId: string, brandId?: string): Promise<number>;
}
