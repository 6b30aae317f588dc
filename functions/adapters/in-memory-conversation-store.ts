import {
  Conversation as ConversationSchema,
  applyBotOutcome,
  checkListQuery,
  finishUpdate,
  mergeOutbound,
  type Conversation,
  type MessageLogEntry,
  type ProcessedMarker,
  type RecordedRouting,
} from '../core/conversation';
import { predatesErasure } from '../core/erasure';
import { PermanentFailure } from '../core/failure';
import type { InboundEvent } from '../core/inbound-event';
import { logsMessage, receiptWrites } from '../core/state-machine';
import type {
  ApplyInboundResult,
  BotOutcomeResult,
  ConversationQuery,
  ConversationRecord,
  ConversationRecords,
  ConversationStore,
  Decide,
  ErasureReport,
  OutboundLog,
  UpdateFn,
  UpdateResult,
} from '../ports/conversation-store';
import { isRejection } from '../ports/conversation-store';

interface Held {
  conversation: Conversation | null;
  messages: Map<string, MessageLogEntry>;
  /** Markers of events that log no message. */
  processed: Map<string, ProcessedMarker>;
  /** Idempotency keys of the updates applied. */
  updates: Set<string>;
}

/**
 * The conversation store in one process, for tests and the local mode. Each conversation's
 * operations run one at a time, like Firestore transactions on one document; values are copied
 * in and out, so callers never share objects with the store.
 */
export class InMemoryConversationStore implements ConversationStore, ConversationRecords {
  private readonly held = new Map<string, Held>();
  /** Tombstones of erased conversations: when each was erased. */
  private readonly erasures = new Map<string, string>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  applyInbound(event: InboundEvent, decide: Decide): Promise<ApplyInboundResult> {
    return this.exclusive<ApplyInboundResult>(event.conversationId, (held) => {
      const marker = markerOf(held, event);
      if (marker) {
        return marker.routing
          ? { duplicate: true, previous: copy(marker.routing) }
          : { duplicate: true };
      }
      const erasedAt = this.erasures.get(event.conversationId);
      if (erasedAt !== undefined && predatesErasure(event.occurredAt, { erasedAt })) {
        return { duplicate: true, erased: true };
      }
      const result = decide(copy(held.conversation));
      const receipts = receiptWrites(result, held.messages);
      if (result.changed) held.conversation = copy(result.conversation);
      for (const effect of result.effects) {
        if (effect.type === 'log-inbound') held.messages.set(effect.entry.key, copy(effect.entry));
        if (effect.type === 'mark-processed') {
          held.processed.set(effect.marker.key, copy(effect.marker));
        }
      }
      for (const entry of receipts) held.messages.set(entry.key, entry);
      return { duplicate: false, result: copy(result) };
    });
  }

  recordBotOutcome(
    conversationId: string,
    dedupeKey: string,
    matched: boolean,
  ): Promise<BotOutcomeResult> {
    return this.exclusive(conversationId, (held) => {
      if (!held.conversation) return { status: 'no-conversation', botMisses: 0 };
      const outcome = applyBotOutcome(held.conversation, dedupeKey, matched, this.now());
      if (outcome.status === 'recorded') held.conversation = copy(outcome.conversation);
      return { status: outcome.status, botMisses: outcome.conversation.botMisses };
    });
  }

  updateConversation(
    conversationId: string,
    idempotencyKey: string,
    fn: UpdateFn,
  ): Promise<UpdateResult> {
    return this.exclusive(conversationId, (held) => {
      if (held.updates.has(idempotencyKey) && held.conversation) {
        return { ok: true, duplicate: true, conversation: copy(held.conversation) };
      }
      const proposed = fn(copy(held.conversation));
      if (isRejection(proposed)) return { ok: false, rejection: proposed };
      const now = this.now();
      const next = ConversationSchema.parse(
        finishUpdate(held.conversation, proposed, conversationId, now),
      );
      held.conversation = next;
      held.updates.add(idempotencyKey);
      return { ok: true, duplicate: false, conversation: copy(next) };
    });
  }

  async getConversation(conversationId: string): Promise<Conversation | null> {
    await Promise.resolve();
    return copy(this.held.get(conversationId)?.conversation ?? null);
  }

  async getMessages(conversationId: string, limit: number): Promise<MessageLogEntry[]> {
    await Promise.resolve();
    const entries = [...(this.held.get(conversationId)?.messages.values() ?? [])];
    entries.sort((a, b) => compare(a.at, b.at) || compare(a.key, b.key));
    return copy(entries.slice(-limit));
  }

  async listConversations(query: ConversationQuery): Promise<Conversation[]> {
    await Promise.resolve();
    if (!checkListQuery(query)) return [];
    const found = [...this.held.values()].flatMap(({ conversation: c }) =>
      c &&
      query.brandIds.includes(c.brandId) &&
      query.states.includes(c.state) &&
      (query.assigneeId === undefined || c.assignee?.agentId === query.assigneeId)
        ? [c]
        : [],
    );
    found.sort((a, b) => compare(b.updatedAt, a.updatedAt) || compare(b.id, a.id));
    return copy(found.slice(0, query.limit));
  }

  async lastUserMessageAt(conversationId: string): Promise<Date | undefined> {
    await Promise.resolve();
    const at = this.held.get(conversationId)?.conversation?.lastUserMessageAt;
    return at ? new Date(at) : undefined;
  }

  recordOutbound(
    conversationId: string,
    entry: Parameters<OutboundLog['recordOutbound']>[1],
  ): Promise<void> {
    return this.exclusive(conversationId, (held) => {
      const existing = held.messages.get(entry.id);
      if (existing?.direction === 'inbound') {
        throw new PermanentFailure(`message log key ${entry.id} is a customer's event`);
      }
      const { id, at, ...details } = entry;
      const merged = mergeOutbound(
        existing,
        { key: id, ...details, at: at.toISOString() },
        this.now().toISOString(),
      );
      if (merged) held.messages.set(id, merged);
    });
  }

  exportConversation(conversationId: string): Promise<ConversationRecord> {
    return this.exclusive(conversationId, (held) => {
      const messages = [...held.messages.values()];
      messages.sort((a, b) => compare(a.at, b.at) || compare(a.key, b.key));
      return copy({
        conversation: held.conversation,
        messages,
        markers: [
          ...held.processed.values(),
          ...[...held.updates].map((key) => ({ key: `u:${key}` })),
        ],
        erasedAt: this.erasures.get(conversationId) ?? null,
      });
    });
  }

  eraseConversation(conversationId: string, erasedAt: Date): Promise<ErasureReport> {
    return this.exclusive(conversationId, (held) => {
      this.erasures.set(conversationId, erasedAt.toISOString());
      const report: ErasureReport = {
        conversation: held.conversation !== null,
        deleted: {
          messages: held.messages.size,
          processed: held.processed.size + held.updates.size,
        },
      };
      this.held.delete(conversationId);
      return report;
    });
  }

  /** Runs `fn` on one conversation's data after that conversation's earlier operations. */
  private exclusive<T>(conversationId: string, fn: (held: Held) => T): Promise<T> {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    const run = previous.then(async () => {
      await Promise.resolve(); // like a store across the network: never synchronous
      let held = this.held.get(conversationId);
      if (!held) {
        held = {
          conversation: null,
          messages: new Map(),
          processed: new Map(),
          updates: new Set(),
        };
        this.held.set(conversationId, held);
      }
      return fn(held);
    });
    const settled = run.catch(() => undefined);
    this.queues.set(conversationId, settled);
    void settled.then(() => {
      if (this.queues.get(conversationId) === settled) this.queues.delete(conversationId);
    });
    return run;
  }
}

/** An applied event's marker (its log entry, or its `processed` marker), if any. */
function markerOf(held: Held, event: InboundEvent): { routing?: RecordedRouting } | undefined {
  if (!logsMessage(event.kind)) return held.processed.get(event.dedupeKey);
  const entry = held.messages.get(event.dedupeKey);
  return entry && { routing: entry.direction === 'inbound' ? entry.routing : undefined };
}

const copy = <T>(value: T): T => structuredClone(value);
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
