import type {
  Conversation,
  ConversationState,
  MessageLogEntry,
  OutboundContent,
  RecordedRouting,
} from '../core/conversation';
import type { InboundEvent, InboundEventKind } from '../core/inbound-event';
import type { Transition } from '../core/state-machine';

/**
 * Conversation state and the message log. Production: Firestore
 * (functions/adapters/firestore-conversation-store.ts); tests and the one-process local mode:
 * in memory. Both pass one contract suite (test/adapters/conversation-store.contract.ts).
 *
 * Every write is atomic with a check of a marker keyed on what caused it, so at-least-once
 * delivery gives exactly-once effects: a transaction that reads the marker, or (the classifier's
 * remembered conversations) a batch that `create`s it and is conditioned on the conversation's
 * version.
 */

export type DeliveryStatus = 'SENT' | 'DELIVERED' | 'READ' | 'FAILED' | 'EXPIRED';

/** The sender's narrow view of the store. */
export interface OutboundLog {
  /** When the customer last wrote (the 30-day window's anchor), or undefined if unknown. */
  lastUserMessageAt(conversationId: string): Promise<Date | undefined>;
  /** Records an outbound send's outcome on the message log; status only moves forward. */
  recordOutbound(
    conversationId: string,
    entry: {
      id: string;
      kind: 'message' | 'event' | 'survey' | 'receipt';
      status: DeliveryStatus;
      at: Date;
      reason?: string;
      causedBy: string;
    } & OutboundContent,
  ): Promise<void>;
}

/**
 * The pure decision `applyInbound` runs on the current conversation (the state machine). It may
 * run more than once (a transaction retried, a conditioned batch that lost): keep it pure.
 */
export type Decide = (current: Conversation | null) => Transition;

export type ApplyInboundResult =
  /**
   * Already applied: nothing changed; `previous` is what the first delivery decided. `erased`:
   * the conversation was erased after this event happened (functions/core/erasure.ts), so the
   * event is dropped and nothing is routed (`previous` is absent).
   */
  | { duplicate: true; previous?: RecordedRouting; erased?: true }
  | { duplicate: false; result: Transition };

export type BotOutcomeResult = {
  /** `ignored`: the bot no longer has the conversation; `no-conversation`: it doesn't exist. */
  status: 'recorded' | 'duplicate' | 'ignored' | 'no-conversation';
  botMisses: number;
};

export interface ConversationQuery {
  /** At least one; brands × states may be at most 30 (Firestore's disjunction limit). */
  brandIds: readonly string[];
  states: readonly ConversationState[];
  /** Only conversations assigned to this human. */
  assigneeId?: string;
  limit: number;
}

/** An update function's refusal, e.g. a claim of a conversation someone else holds. */
export interface Rejection {
  rejected: true;
  code: string;
  message: string;
}

export const reject = (code: string, message: string): Rejection => ({
  rejected: true,
  code,
  message,
});

export const isRejection = (value: unknown): value is Rejection =>
  typeof value === 'object' && value !== null && (value as Rejection).rejected === true;

/**
 * Computes the next conversation from the current one (null when it doesn't exist), or refuses.
 * It may run more than once (transaction retries): keep it pure.
 */
export type UpdateFn = (current: Conversation | null) => Conversation | Rejection;

export type UpdateResult =
  /** `duplicate`: this idempotency key was applied before; `conversation` is the current one. */
  | { ok: true; duplicate: boolean; conversation: Conversation }
  | { ok: false; rejection: Rejection };

export interface ConversationStore extends OutboundLog {
  /**
   * Applies one inbound event exactly once: atomically with reading (or conditioning on) the
   * conversation and the event's marker; if the marker exists returns `{duplicate: true}`;
   * otherwise runs `decide` and writes the conversation (if it changed), the marker (the inbound
   * log entry, or a `processed` marker for receipts and typing) and the receipts' delivery
   * statuses.
   */
  applyInbound(event: InboundEvent, decide: Decide): Promise<ApplyInboundResult>;
  /** Counts the bot's answer to one inbound event once: a miss adds one, a match resets. */
  recordBotOutcome(
    conversationId: string,
    dedupeKey: string,
    matched: boolean,
  ): Promise<BotOutcomeResult>;
  getConversation(conversationId: string): Promise<Conversation | null>;
  /** The newest `limit` log entries, oldest first. */
  getMessages(conversationId: string, limit: number): Promise<MessageLogEntry[]>;
  /** Most recently updated first. */
  listConversations(query: ConversationQuery): Promise<Conversation[]>;
  /**
   * Changes a conversation in one transaction, once per `idempotencyKey`: of concurrent updates
   * each sees the result of the others, so of several claims exactly one wins. The store stamps
   * `updatedAt`, `version` and (when the state changes) `stateChangedAt`.
   */
  updateConversation(
    conversationId: string,
    idempotencyKey: string,
    fn: UpdateFn,
  ): Promise<UpdateResult>;
}

/** A `processed` marker as stored: an inbound event's (kind, routing) or an update's (`u:…`). */
export interface StoredMarker {
  key: string;
  kind?: InboundEventKind;
  recordedAt?: string;
  routing?: RecordedRouting;
}

/** Everything the store holds about one conversation: a customer's access request. */
export interface ConversationRecord {
  conversation: Conversation | null;
  /** The whole message log, oldest first. */
  messages: MessageLogEntry[];
  markers: StoredMarker[];
  /** When the conversation was last erased (its tombstone), or null. */
  erasedAt: string | null;
}

/** What an erasure removed. */
export interface ErasureReport {
  conversation: boolean;
  /** Documents deleted per kind of record (`messages`, `processed`, …). */
  deleted: Record<string, number>;
}

/**
 * The store as an operator uses it for customers' data requests (functions/ops). Both stores
 * implement it and pass the same contract suite.
 */
export interface ConversationRecords {
  exportConversation(conversationId: string): Promise<ConversationRecord>;
  /**
   * Leaves a content-free tombstone, then deletes the conversation, its message log and its
   * markers. From then on `applyInbound` drops every event that happened up to `erasedAt`
   * (`{duplicate: true, erased: true}`), so a redelivery cannot bring the content back.
   */
  eraseConversation(conversationId: string, erasedAt: Date): Promise<ErasureReport>;
}
