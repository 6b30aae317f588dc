import type { Conversation, MessageLogEntry } from '../core/conversation';
import type { FeedNotice } from '../core/feed-notice';
import type { InboundEvent } from '../core/inbound-event';
import type {
  ApplyInboundResult,
  BotOutcomeResult,
  ConversationQuery,
  ConversationStore,
  Decide,
  UpdateFn,
  UpdateResult,
} from '../ports/conversation-store';
import type {
  ConversationFeed,
  FeedEvent,
  FeedNotices,
  FeedWatcher,
} from '../ports/conversation-feed';

const isLive = (c: Conversation): boolean => c.state === 'queued' || c.state === 'with_agent';

/**
 * The agents' feed in one process, for tests and the one-process local mode. It learns about
 * conversation changes from `conversationChanged`, which `withConversationFeed` calls for every
 * write of a store; like the Firestore listener, a watcher first gets every live conversation of
 * its brands, then `ready`, then changes.
 */
export class InMemoryConversationFeed implements ConversationFeed, FeedNotices {
  /** Every notice published, once each, in order. */
  readonly notices: FeedNotice[] = [];
  private readonly live = new Map<string, Conversation>();
  private readonly watchers = new Set<{ brands: Set<string>; watcher: FeedWatcher }>();
  private readonly noticeKeys = new Set<string>();

  /** Tells watchers about a conversation as just written. */
  conversationChanged(conversation: Conversation): void {
    const previous = this.live.get(conversation.id);
    if (isLive(conversation)) {
      if (previous && previous.version > conversation.version) return;
      this.live.set(conversation.id, structuredClone(conversation));
      this.emit(conversation.brandId, {
        type: 'conversation.updated',
        conversation: structuredClone(conversation),
      });
    } else if (previous) {
      if (previous.version > conversation.version) return;
      this.live.delete(conversation.id);
      this.emit(conversation.brandId, {
        type: 'conversation.removed',
        conversationId: conversation.id,
        brandId: conversation.brandId,
      });
    }
  }

  watch(brandIds: readonly string[], watcher: FeedWatcher): () => void {
    const entry = { brands: new Set(brandIds), watcher };
    for (const conversation of this.live.values()) {
      if (entry.brands.has(conversation.brandId)) {
        watcher.event({
          type: 'conversation.updated',
          conversation: structuredClone(conversation),
        });
      }
    }
    watcher.event({ type: 'ready' });
    this.watchers.add(entry);
    return () => {
      this.watchers.delete(entry);
    };
  }

  publish(notice: FeedNotice): Promise<void> {
    if (!this.noticeKeys.has(notice.key)) {
      this.noticeKeys.add(notice.key);
      this.notices.push(structuredClone(notice));
      this.emit(notice.brandId, { type: 'notice', notice: structuredClone(notice) });
    }
    return Promise.resolve();
  }

  /** How many watchers are connected (tests: a closed stream unsubscribes). */
  get watcherCount(): number {
    return this.watchers.size;
  }

  private emit(brandId: string, event: FeedEvent): void {
    for (const { brands, watcher } of [...this.watchers]) {
      if (brands.has(brandId)) watcher.event(event);
    }
  }
}

/**
 * `store`, telling `feed` about every conversation it writes: what a Firestore snapshot
 * listener sees in production, for the in-memory store.
 */
export function withConversationFeed(
  store: ConversationStore,
  feed: Pick<InMemoryConversationFeed, 'conversationChanged'>,
): ConversationStore {
  return {
    async applyInbound(event: InboundEvent, decide: Decide): Promise<ApplyInboundResult> {
      const applied = await store.applyInbound(event, decide);
      if (!applied.duplicate && applied.result.changed && applied.result.conversation) {
        feed.conversationChanged(applied.result.conversation);
      }
      return applied;
    },
    async updateConversation(id: string, key: string, fn: UpdateFn): Promise<UpdateResult> {
      const result = await store.updateConversation(id, key, fn);
      if (result.ok && !result.duplicate) feed.conversationChanged(result.conversation);
      return result;
    },
    async recordBotOutcome(id: string, key: string, matched: boolean): Promise<BotOutcomeResult> {
      const result = await store.recordBotOutcome(id, key, matched);
      if (result.status === 'recorded') {
        const conversation = await store.getConversation(id);
        if (conversation) feed.conversationChanged(conversation);
      }
      return result;
    },
    getConversation: (id: string): Promise<Conversation | null> => store.getConversation(id),
    getMessages: (id: string, limit: number): Promise<MessageLogEntry[]> =>
      store.getMessages(id, limit),
    listConversations: (query: ConversationQuery): Promise<Conversation[]> =>
      store.listConversations(query),
    lastUserMessageAt: (id: string) => store.lastUserMessageAt(id),
    recordOutbound: (id, entry) => store.recordOutbound(id, entry),
  };
}
