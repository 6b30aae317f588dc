import { InMemoryConversationStore } from '../../functions/adapters/in-memory-conversation-store';
import type { Conversation, MessageLogEntry } from '../../functions/core/conversation';
import type { DeliveryStatus, OutboundLog } from '../../functions/ports/conversation-store';
import { aConversation } from './conversations';

export type OutboundEntry = Parameters<OutboundLog['recordOutbound']>[1];
export type RecordedOutbound = OutboundEntry & { conversationId: string };

/**
 * The sender's view of the conversation store: the real in-memory store, plus a record of every
 * `recordOutbound` call in order (how often, not only the outcome) and injectable write
 * failures.
 */
export class RecordingOutboundLog implements OutboundLog {
  readonly records: RecordedOutbound[] = [];
  /** Conversations whose last customer message was read (the 30-day window), call by call. */
  readonly windowReads: string[] = [];
  private failures: Error[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private completed = 0;

  constructor(readonly store = new InMemoryConversationStore()) {}

  /** Gives the conversation a customer message at `at` (the anchor of the 30-day window). */
  async setLastUserMessageAt(conversationId: string, at: Date): Promise<void> {
    const iso = at.toISOString();
    const result = await this.store.updateConversation(
      conversationId,
      `test-last-user-message-${iso}`,
      (current) => ({
        ...(current ?? newConversation(conversationId, iso)),
        lastUserMessageAt: iso,
      }),
    );
    if (!result.ok) throw new Error(result.rejection.message);
  }

  /** Makes the next write fail with `error` (default: a transient failure). */
  failNextRecord(error: Error = new Error('store unavailable')): void {
    this.failures.push(error);
  }

  lastUserMessageAt(conversationId: string): Promise<Date | undefined> {
    this.windowReads.push(conversationId);
    return this.store.lastUserMessageAt(conversationId);
  }

  recordOutbound(conversationId: string, entry: OutboundEntry): Promise<void> {
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    this.records.push({ conversationId, ...entry });
    return this.store.recordOutbound(conversationId, entry).then(() => {
      this.completed += 1;
      this.notify();
    });
  }

  /** Resolves once `count` writes have completed: an event to await, not a poll. */
  waitForRecords(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ count, resolve });
      this.notify();
    });
  }

  private notify(): void {
    const done = this.waiters.filter((w) => this.completed >= w.count);
    this.waiters = this.waiters.filter((w) => this.completed < w.count);
    for (const w of done) w.resolve();
  }

  /** Statuses recorded for one send, call by call. */
  statuses(conversationId: string, id: string): DeliveryStatus[] {
    return this.records
      .filter((r) => r.conversationId === conversationId && r.id === id)
      .map((r) => r.status);
  }

  /** The send's entry on the store's message log, as agents would see it. */
  async entry(conversationId: string, id: string): Promise<MessageLogEntry | undefined> {
    const entries = await this.store.getMessages(conversationId, 1_000);
    return entries.find((e) => e.key === id);
  }
}

function newConversation(id: string, at: string): Conversation {
  return aConversation({
    id,
    brandId: 'test-brand',
    agentId: 'test-agent',
    agent: 'brands/test-brand/agents/test-agent',
    lastUserMessageAt: at,
    createdAt: at,
    updatedAt: at,
  });
}
