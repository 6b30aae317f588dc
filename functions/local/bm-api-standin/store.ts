import type { Event, Message, Receipt, Survey } from '../../core/business-messages-api';

/**
 * What the stand-in accepted, per conversation and in arrival order, plus the rules that depend
 * on history (duplicate IDs, one survey per 24 hours). Only accepted requests are recorded, so a
 * test can compare this against the responses its sender saw as successes.
 */

export const SURVEY_WINDOW_MS = 24 * 60 * 60 * 1000;

interface Recorded {
  conversationId: string;
  /** One counter across every kind and conversation, so a timeline can be rebuilt. */
  seq: number;
  receivedAt: string;
  /** Whether the request carried `Authorization: Bearer …` (local tokens are not checked). */
  hasAuthorization: boolean;
}

export interface RecordedMessage extends Recorded {
  messageId: string;
  forceFallback: boolean;
  body: Message;
}
export interface RecordedEvent extends Recorded {
  eventId: string;
  body: Event;
}
export interface RecordedSurvey extends Recorded {
  surveyId: string;
  body: Survey;
}
export interface RecordedReceipt extends Recorded {
  messageId: string;
  body: Receipt;
}

export interface ConversationRecord {
  messages: RecordedMessage[];
  events: RecordedEvent[];
  surveys: RecordedSurvey[];
  receipts: RecordedReceipt[];
}

export interface ConversationSummary {
  conversationId: string;
  messages: number;
  events: number;
  surveys: number;
  receipts: number;
}

export type Refusal = 'duplicate' | 'survey-within-24h';
export type Acceptance<T> = { ok: true; item: T } | { ok: false; refusal: Refusal };

type Meta = Pick<Recorded, 'conversationId' | 'hasAuthorization'>;

interface Waiter {
  conversationId: string;
  count: number;
  done: (satisfied: boolean) => void;
}

export class StandinStore {
  private conversations = new Map<string, ConversationRecord>();
  private lastSurveyAt = new Map<string, number>();
  private seq = 0;
  private waiters = new Set<Waiter>();
  private closed = false;

  constructor(private readonly now: () => Date) {}

  acceptMessage(
    meta: Meta & { messageId: string; forceFallback: boolean; body: Message },
  ): Acceptance<RecordedMessage> {
    const record = this.recordOf(meta.conversationId);
    if (record.messages.some((m) => m.messageId === meta.messageId)) return refuse('duplicate');
    return this.append(record.messages, meta);
  }

  acceptEvent(meta: Meta & { eventId: string; body: Event }): Acceptance<RecordedEvent> {
    const record = this.recordOf(meta.conversationId);
    if (record.events.some((e) => e.eventId === meta.eventId)) return refuse('duplicate');
    return this.append(record.events, meta);
  }

  acceptSurvey(meta: Meta & { surveyId: string; body: Survey }): Acceptance<RecordedSurvey> {
    const record = this.recordOf(meta.conversationId);
    // A repeated ID is a retry of an accepted survey: ALREADY_EXISTS tells the sender it landed.
    if (record.surveys.some((s) => s.surveyId === meta.surveyId)) return refuse('duplicate');
    const now = this.now().getTime();
    const last = this.lastSurveyAt.get(meta.conversationId);
    if (last !== undefined && now - last < SURVEY_WINDOW_MS) return refuse('survey-within-24h');
    const accepted = this.append(record.surveys, meta);
    this.lastSurveyAt.set(meta.conversationId, now);
    return accepted;
  }

  /** Receipts update the user's message; repeating one is harmless, so every one is kept. */
  acceptReceipt(meta: Meta & { messageId: string; body: Receipt }): Acceptance<RecordedReceipt> {
    return this.append(this.recordOf(meta.conversationId).receipts, meta);
  }

  conversation(conversationId: string): ConversationRecord {
    const record = this.conversations.get(conversationId);
    return {
      messages: [...(record?.messages ?? [])],
      events: [...(record?.events ?? [])],
      surveys: [...(record?.surveys ?? [])],
      receipts: [...(record?.receipts ?? [])],
    };
  }

  /** Conversations with at least one accepted item, in the order they were first seen. */
  summaries(): ConversationSummary[] {
    return [...this.conversations]
      .filter(([id]) => this.count(id) > 0)
      .map(([conversationId, r]) => ({
        conversationId,
        messages: r.messages.length,
        events: r.events.length,
        surveys: r.surveys.length,
        receipts: r.receipts.length,
      }));
  }

  /** Items of every kind accepted in the conversation. */
  count(conversationId: string): number {
    const r = this.conversations.get(conversationId);
    return r ? r.messages.length + r.events.length + r.surveys.length + r.receipts.length : 0;
  }

  /** Resolves true once the conversation holds `count` items, false at the timeout or `close`. */
  waitForCount(conversationId: string, count: number, timeoutMs: number): Promise<boolean> {
    if (this.count(conversationId) >= count) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        conversationId,
        count,
        done: (satisfied) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(satisfied);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Long polls in progress; lets tests know a poll has arrived without sleeping. */
  waiting(): number {
    return this.waiters.size;
  }

  reset(): void {
    this.conversations.clear();
    this.lastSurveyAt.clear();
    this.seq = 0;
  }

  /** Answers every pending wait, so a server can close without hanging on long polls. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.done(false);
  }

  private recordOf(conversationId: string): ConversationRecord {
    let record = this.conversations.get(conversationId);
    if (!record) {
      record = { messages: [], events: [], surveys: [], receipts: [] };
      this.conversations.set(conversationId, record);
    }
    return record;
  }

  private append<T extends Recorded>(
    list: T[],
    fields: Omit<T, 'seq' | 'receivedAt'>,
  ): Acceptance<T> {
    this.seq += 1;
    const item = { ...fields, seq: this.seq, receivedAt: this.now().toISOString() } as T;
    list.push(item);
    this.notify(item.conversationId);
    return { ok: true, item };
  }

  private notify(conversationId: string): void {
    const count = this.count(conversationId);
    for (const waiter of [...this.waiters]) {
      if (waiter.conversationId === conversationId && count >= waiter.count) waiter.done(true);
    }
  }
}

const refuse = (refusal: Refusal): { ok: false; refusal: Refusal } => ({ ok: false, refusal });
