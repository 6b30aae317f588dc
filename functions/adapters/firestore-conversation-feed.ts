import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type Firestore,
  type QueryDocumentSnapshot,
} from '@google-cloud/firestore';
import { Conversation as ConversationSchema, type Conversation } from '../core/conversation';
import { FEED_NOTICE_TTL_HOURS, FeedNotice } from '../core/feed-notice';
import type {
  ConversationFeed,
  FeedNoticeRecords,
  FeedNotices,
  FeedWatcher,
} from '../ports/conversation-feed';
import { firestoreId } from './firestore-conversation-store';
import { fromFirestore } from './firestore-values';
import { withoutUndefined } from '../core/defined-fields';

export interface FirestoreConversationFeedOptions {
  /** The conversation store's collection. */
  conversations?: string;
  /** Notices live in `{notices}/{brandId}/notices/{key}` (with `expireAt` for a TTL policy). */
  notices?: string;
  now?: () => Date;
  /** Told about documents that don't fit the model; they are skipped. */
  onInvalid?: (path: string, problem: string) => void;
}

const LIVE_STATES = ['queued', 'with_agent'] as const;
/** Firestore allows 30 disjunctions per query: brands × 2 live states. */
const BRANDS_PER_QUERY = 15;
const ALREADY_EXISTS = 6;
const HOUR_MS = 60 * 60 * 1000;

/**
 * The agents' feed on Firestore snapshot listeners:
 *
 * - the live conversations of the brands: `conversations` where `brandId` in the brands and
 *   `state` in (queued, with_agent), so a conversation that leaves those states is "removed";
 * - notices about customers, which the live-agent function creates (once per key) under
 *   `agentFeed/{brandId}/notices/{key}`: one listener per brand on those written since the
 *   watch began (`publishedAt`, the server's time of the write: the customer's own time may be
 *   seconds older when the notice is written).
 *
 * `ready` follows once every listener has delivered its first snapshot.
 */
export class FirestoreConversationFeed implements ConversationFeed, FeedNotices, FeedNoticeRecords {
  private readonly conversations: string;
  private readonly notices: string;
  private readonly now: () => Date;

  constructor(
    private readonly db: Firestore,
    private readonly options: FirestoreConversationFeedOptions = {},
  ) {
    this.conversations = options.conversations ?? 'conversations';
    this.notices = options.notices ?? 'agentFeed';
    this.now = options.now ?? (() => new Date());
  }

  watch(brandIds: readonly string[], watcher: FeedWatcher): () => void {
    const brands = [...new Set(brandIds)];
    const since = Timestamp.fromDate(this.now());
    const unsubscribes: (() => void)[] = [];
    let waiting = 0;
    let closed = false;
    const firstSnapshot = () => {
      let first = true;
      waiting += 1;
      return () => {
        if (!first) return;
        first = false;
        waiting -= 1;
        if (waiting === 0 && !closed) watcher.event({ type: 'ready' });
      };
    };
    const stop = () => {
      closed = true;
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
    };
    const fail = (error: unknown) => {
      if (closed) return;
      stop();
      watcher.error(error);
    };

    const listeners: (() => () => void)[] = [];
    for (let i = 0; i < brands.length; i += BRANDS_PER_QUERY) {
      const chunk = brands.slice(i, i + BRANDS_PER_QUERY);
      const done = firstSnapshot();
      listeners.push(() =>
        this.db
          .collection(this.conversations)
          .where('brandId', 'in', chunk)
          .where('state', 'in', [...LIVE_STATES])
          .onSnapshot((snapshot) => {
            if (closed) return;
            for (const change of snapshot.docChanges()) {
              const conversation = this.readConversation(change.doc);
              if (!conversation) continue;
              watcher.event(
                change.type === 'removed'
                  ? {
                      type: 'conversation.removed',
                      conversationId: conversation.id,
                      brandId: conversation.brandId,
                    }
                  : { type: 'conversation.updated', conversation },
              );
            }
            done();
          }, fail),
      );
    }
    for (const brandId of brands) {
      const done = firstSnapshot();
      listeners.push(() =>
        this.noticesOf(brandId)
          .where('publishedAt', '>=', since)
          .onSnapshot((snapshot) => {
            if (closed) return;
            for (const change of snapshot.docChanges()) {
              if (change.type !== 'added') continue;
              const notice = this.readNotice(change.doc);
              if (notice) watcher.event({ type: 'notice', notice });
            }
            done();
          }, fail),
      );
    }
    if (listeners.length === 0) {
      watcher.event({ type: 'ready' });
      return stop;
    }
    for (const listen of listeners) unsubscribes.push(listen());
    return stop;
  }

  async publish(notice: FeedNotice): Promise<void> {
    const at = new Date(notice.at);
    const doc: DocumentData = {
      ...withoutUndefined(notice),
      at: Timestamp.fromDate(at),
      publishedAt: FieldValue.serverTimestamp(),
      expireAt: Timestamp.fromDate(new Date(at.getTime() + FEED_NOTICE_TTL_HOURS * HOUR_MS)),
    };
    try {
      await this.noticesOf(notice.brandId).doc(firestoreId(notice.key)).create(doc);
    } catch (error) {
      if ((error as { code?: unknown }).code === ALREADY_EXISTS) return;
      throw error;
    }
  }

  async conversationNotices(conversationId: string, brandId?: string): Promise<FeedNotice[]> {
    const snapshot = await this.noticesAbout(conversationId, brandId).get();
    return snapshot.docs.flatMap((doc) => this.readNotice(doc) ?? []);
  }

  async eraseNotices(conversationId: string, brandId?: string): Promise<number> {
    const snapshot = await this.noticesAbout(conversationId, brandId).select().get();
    const writer = this.db.bulkWriter();
    for (const doc of snapshot.docs) void writer.delete(doc.ref);
    await writer.close();
    return snapshot.size;
  }

  /**
   * A conversation's notices: under its brand when known, else in every brand's (a collection
   * group query, which needs its single-field index exemption in production).
   */
  private noticesAbout(conversationId: string, brandId: string | undefined) {
    const notices =
      brandId === undefined ? this.db.collectionGroup('notices') : this.noticesOf(brandId);
    return notices.where('conversationId', '==', conversationId);
  }

  private noticesOf(brandId: string) {
    return this.db.collection(this.notices).doc(firestoreId(brandId)).collection('notices');
  }

  private readConversation(doc: QueryDocumentSnapshot): Conversation | undefined {
    const parsed = ConversationSchema.safeParse(fromFirestore(doc.data()));
    if (parsed.success) return parsed.data;
    this.options.onInvalid?.(doc.ref.path, parsed.error.message);
    return undefined;
  }

  private readNotice(doc: QueryDocumentSnapshot): FeedNotice | undefined {
    const {
      expireAt: _expireAt,
      publishedAt: _publishedAt,
      ...data
    } = fromFirestore(doc.data()) as Record<string, unknown>;
    const parsed = FeedNotice.safeParse(data);
    if (parsed.success) return parsed.data;
    this.options.onInvalid?.(doc.ref.path, parsed.error.message);
    return undefined;
  }
}
