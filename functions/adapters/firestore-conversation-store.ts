import {
  Timestamp,
  type CollectionReference,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type Transaction,
} from '@google-cloud/firestore';
import type * as z from 'zod';
import {
  Conversation as ConversationSchema,
  MESSAGE_LOG_TTL_DAYS,
  MessageLogEntry as MessageLogEntrySchema,
  PROCESSED_MARKER_TTL_DAYS,
  ProcessedMarker as ProcessedMarkerSchema,
  RecordedRouting as RecordedRoutingSchema,
  applyBotOutcome,
  checkListQuery,
  expiryAfter,
  finishUpdate,
  mergeOutbound,
  type Conversation,
  type MessageLogEntry,
  type ProcessedMarker,
} from '../core/conversation';
import { Erasure, predatesErasure } from '../core/erasure';
import { PermanentFailure } from '../core/failure';
import type { InboundEvent } from '../core/inbound-event';
import { logsMessage, receiptTargets, receiptWrites } from '../core/state-machine';
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
  StoredMarker,
  UpdateFn,
  UpdateResult,
} from '../ports/conversation-store';
import { isRejection } from '../ports/conversation-store';
import { fromFirestore } from './firestore-values';
import { withoutUndefined } from '../core/defined-fields';
import { describeIssues } from '../core/validation-problems';

/**
 * The conversation store on Firestore:
 *
 * - `conversations/{conversationId}`: the conversation;
 * - `conversations/{conversationId}/messages/{key}`: the message log. A customer's event is
 *   keyed by its dedupe key and created (`create()`) in the transaction that applies it, so the
 *   entry is also the event's processed marker; our sends are keyed by their message/event ID;
 * - `conversations/{conversationId}/processed/{key}`: the marker of an event that logs no
 *   message (receipts, typing), and `u:{idempotencyKey}` of an applied update;
 * - `erasures/{conversationId}`: the content-free tombstone of an erased conversation, read in
 *   the transaction that applies an event, so events from before the erasure are dropped.
 *
 * Log entries and markers carry `expireAt` for a TTL policy. Times are Timestamps at the top
 * level of each document (queried, ordered, expired on) and ISO strings inside maps.
 */
export class FirestoreConversationStore implements ConversationStore, ConversationRecords {
  private readonly now: () => Date;

  constructor(
    private readonly db: Firestore,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  applyInbound(event: InboundEvent, decide: Decide): Promise<ApplyInboundResult> {
    const conversation = this.conversationRef(event.conversationId);
    const marker = conversation
      .collection(logsMessage(event.kind) ? 'messages' : 'processed')
      .doc(firestoreId(event.dedupeKey));
    const tombstone = this.erasureRef(event.conversationId);
    return this.transaction(async (tx): Promise<ApplyInboundResult> => {
      // One round trip for all three: the tombstone costs a document read, not a wait.
      const [current, done, erased] = await tx.getAll(conversation, marker, tombstone);
      if (done?.exists) {
        const previous = RecordedRoutingSchema.safeParse(fromFirestore(done.get('routing')));
        return previous.success
          ? { duplicate: true, previous: previous.data }
          : { duplicate: true };
      }
      const erasure = erased?.exists ? parseStored(Erasure, erased) : undefined;
      if (erasure && predatesErasure(event.occurredAt, erasure)) {
        return { duplicate: true, erased: true };
      }
      const result = decide(readConversation(current));
      const targets = receiptTargets(result);
      const held = new Map<string, MessageLogEntry>();
      if (targets.length > 0) {
        const refs = targets.map((id) => conversation.collection('messages').doc(firestoreId(id)));
        for (const snapshot of await tx.getAll(...refs)) {
          const entry = readEntry(snapshot);
          if (entry) held.set(entry.key, entry);
        }
      }
      // Reads are done; from here on only writes.
      if (result.changed && result.conversation) {
        tx.set(conversation, conversationToDoc(result.conversation));
      }
      for (const effect of result.effects) {
        if (effect.type === 'log-inbound') tx.create(marker, entryToDoc(effect.entry));
        if (effect.type === 'mark-processed') tx.create(marker, markerToDoc(effect.marker));
      }
      for (const entry of receiptWrites(result, held)) {
        tx.set(conversation.collection('messages').doc(firestoreId(entry.key)), entryToDoc(entry));
      }
      return { duplicate: false, result };
    });
  }

  recordBotOutcome(
    conversationId: string,
    dedupeKey: string,
    matched: boolean,
  ): Promise<BotOutcomeResult> {
    const ref = this.conversationRef(conversationId);
    return this.transaction(async (tx): Promise<BotOutcomeResult> => {
      const current = readConversation(await tx.get(ref));
      if (!current) return { status: 'no-conversation', botMisses: 0 };
      const outcome = applyBotOutcome(current, dedupeKey, matched, this.now());
      if (outcome.status === 'recorded') tx.set(ref, conversationToDoc(outcome.conversation));
      return { status: outcome.status, botMisses: outcome.conversation.botMisses };
    });
  }

  updateConversation(
    conversationId: string,
    idempotencyKey: string,
    fn: UpdateFn,
  ): Promise<UpdateResult> {
    const ref = this.conversationRef(conversationId);
    const marker = ref.collection('processed').doc(firestoreId(`u:${idempotencyKey}`));
    return this.transaction(async (tx): Promise<UpdateResult> => {
      const [snapshot, done] = await tx.getAll(ref, marker);
      const current = readConversation(snapshot);
      if (done?.exists && current) return { ok: true, duplicate: true, conversation: current };
      const proposed = fn(current);
      if (isRejection(proposed)) return { ok: false, rejection: proposed };
      const now = this.now();
      const next = validUpdate(finishUpdate(current, proposed, conversationId, now));
      tx.set(ref, conversationToDoc(next));
      tx.create(marker, {
        key: `u:${idempotencyKey}`,
        recordedAt: Timestamp.fromDate(now),
        expireAt: Timestamp.fromDate(expiryAfter(now.toISOString(), PROCESSED_MARKER_TTL_DAYS)),
      });
      return { ok: true, duplicate: false, conversation: next };
    });
  }

  async getConversation(conversationId: string): Promise<Conversation | null> {
    return readConversation(await this.conversationRef(conversationId).get());
  }

  async getMessages(conversationId: string, limit: number): Promise<MessageLogEntry[]> {
    const snapshot = await this.conversationRef(conversationId)
      .collection('messages')
      .orderBy('at', 'desc')
      .limit(limit)
      .get();
    return snapshot.docs.flatMap((d) => readEntry(d) ?? []).reverse();
  }

  async listConversations(query: ConversationQuery): Promise<Conversation[]> {
    if (!checkListQuery(query)) return [];
    let q = this.db
      .collection('conversations')
      .where('brandId', 'in', [...query.brandIds])
      .where('state', 'in', [...query.states]);
    if (query.assigneeId !== undefined) q = q.where('assignee.agentId', '==', query.assigneeId);
    const snapshot = await q.orderBy('updatedAt', 'desc').limit(query.limit).get();
    return snapshot.docs.flatMap((d) => readConversation(d) ?? []);
  }

  async lastUserMessageAt(conversationId: string): Promise<Date | undefined> {
    const snapshot = await this.conversationRef(conversationId).get();
    const at: unknown = snapshot.get('lastUserMessageAt');
    return at instanceof Timestamp ? at.toDate() : undefined;
  }

  async recordOutbound(
    conversationId: string,
    entry: Parameters<OutboundLog['recordOutbound']>[1],
  ): Promise<void> {
    const ref = this.conversationRef(conversationId)
      .collection('messages')
      .doc(firestoreId(entry.id));
    const { id, at, ...details } = entry;
    const fact = { key: id, ...details, at: at.toISOString() };
    // Usually the send's first record: created outright, a write and no read. Only when the
    // entry exists (a redelivery, a receipt that came first, a customer's event under the same
    // key) is it read and merged, in a transaction.
    const fresh = mergeOutbound(undefined, fact, this.now().toISOString());
    if (fresh) {
      try {
        await ref.create(entryToDoc(fresh));
        return;
      } catch (error) {
        if ((error as { code?: unknown }).code !== ALREADY_EXISTS) throw error;
      }
    }
    return this.transaction(async (tx) => {
      const existing = readEntry(await tx.get(ref));
      if (existing?.direction === 'inbound') {
        throw new PermanentFailure(`message log key ${entry.id} is a customer's event`);
      }
      const merged = mergeOutbound(existing, fact, this.now().toISOString());
      if (merged) tx.set(ref, entryToDoc(merged));
    });
  }

  async exportConversation(conversationId: string): Promise<ConversationRecord> {
    const ref = this.conversationRef(conversationId);
    const [conversation, messages, processed, erased] = await Promise.all([
      ref.get(),
      ref.collection('messages').orderBy('at').get(),
      ref.collection('processed').get(),
      this.erasureRef(conversationId).get(),
    ]);
    return {
      conversation: readConversation(conversation),
      messages: messages.docs.flatMap((d) => readEntry(d) ?? []),
      markers: processed.docs.map((d) => readMarker(d)),
      erasedAt: erased.exists ? parseStored(Erasure, erased).erasedAt : null,
    };
  }

  async eraseConversation(conversationId: string, erasedAt: Date): Promise<ErasureReport> {
    const ref = this.conversationRef(conversationId);
    // The tombstone first: a transaction applying an event either committed before it (and what
    // it wrote is deleted below) or reads it and drops the event.
    await this.erasureRef(conversationId).set({ erasedAt: Timestamp.fromDate(erasedAt) });
    const deleted: Record<string, number> = { messages: 0, processed: 0 };
    // Every subcollection, not only the known ones: anything keyed by the conversation goes.
    for (const collection of await ref.listCollections()) {
      deleted[collection.id] = await this.deleteAll(collection);
    }
    const existed = (await ref.get()).exists;
    if (existed) await ref.delete();
    return { conversation: existed, deleted };
  }

  /** Deletes a collection's documents in batches; how many there were. */
  private async deleteAll(collection: CollectionReference): Promise<number> {
    let count = 0;
    for (;;) {
      const page = await collection.select().limit(ERASE_BATCH).get();
      if (page.empty) return count;
      const batch = this.db.batch();
      for (const doc of page.docs) batch.delete(doc.ref);
      await batch.commit();
      count += page.size;
    }
  }

  private erasureRef(conversationId: string): DocumentReference {
    return this.db.collection('erasures').doc(firestoreId(conversationId));
  }

  private conversationRef(conversationId: string): DocumentReference {
    return this.db.collection('conversations').doc(firestoreId(conversationId));
  }

  /**
   * A transaction, retried by the client on contention. A `create()` that still meets an
   * existing marker (ALREADY_EXISTS: written outside this code's transactions) is run once more,
   * when the marker is read and the event found to be a duplicate.
   */
  private async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    try {
      return await this.db.runTransaction(fn);
    } catch (error) {
      if ((error as { code?: unknown }).code !== ALREADY_EXISTS) throw error;
      return this.db.runTransaction(fn);
    }
  }
}

const ALREADY_EXISTS = 6;
/** Deletes per batched write while erasing: well inside a request's size limit. */
const ERASE_BATCH = 400;

// ---------------------------------------------------------------------------------------------
// Document IDs

const MAX_ID_BYTES = 1500;

/**
 * A key as a document ID. Firestore forbids `/`, `.` and `..`, and `__…__`; `%` and those are
 * escaped (percent-encoding, so distinct keys stay distinct). Keys too long for an ID can never
 * be stored: a permanent failure.
 */
export function firestoreId(key: string): string {
  if (key === '') throw new PermanentFailure('empty key');
  let id = key.replace(/%/g, '%25').replace(/\//g, '%2F');
  if (id === '.' || id === '..') id = id.replace(/\./g, '%2E');
  if (/^__.*__$/s.test(id)) id = `%5F${id.slice(1)}`;
  if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) {
    throw new PermanentFailure(`key of ${Buffer.byteLength(id)} bytes is too long for Firestore`);
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// Documents ⇄ values

const CONVERSATION_TIMES = [
  'contextAt',
  'lastUserMessageAt',
  'stateChangedAt',
  'queuedAt',
  'createdAt',
  'updatedAt',
] as const;
const ENTRY_TIMES = ['at', 'recordedAt', 'statusAt'] as const;

function conversationToDoc(conversation: Conversation): DocumentData {
  return withTimestamps(conversation, CONVERSATION_TIMES);
}

function entryToDoc(entry: MessageLogEntry): DocumentData {
  return {
    ...withTimestamps(entry, ENTRY_TIMES),
    expireAt: Timestamp.fromDate(expiryAfter(entry.recordedAt, MESSAGE_LOG_TTL_DAYS)),
  };
}

function markerToDoc(marker: ProcessedMarker): DocumentData {
  return {
    ...withTimestamps(marker, ['recordedAt']),
    expireAt: Timestamp.fromDate(expiryAfter(marker.recordedAt, PROCESSED_MARKER_TTL_DAYS)),
  };
}

function readConversation(snapshot: DocumentSnapshot | undefined): Conversation | null {
  if (!snapshot?.exists) return null;
  return parseStored(ConversationSchema, snapshot);
}

/** An inbound event's marker as the core defines it; an update's (`u:…`) has only key and time. */
function readMarker(snapshot: DocumentSnapshot): StoredMarker {
  const data = fromFirestore(snapshot.data());
  const inbound = ProcessedMarkerSchema.safeParse(data);
  if (inbound.success) return inbound.data;
  const { key, recordedAt } = (data ?? {}) as { key?: unknown; recordedAt?: unknown };
  return {
    key: typeof key === 'string' ? key : snapshot.id,
    ...(typeof recordedAt === 'string' ? { recordedAt } : {}),
  };
}

function readEntry(snapshot: DocumentSnapshot | undefined): MessageLogEntry | undefined {
  if (!snapshot?.exists) return undefined;
  return parseStored(MessageLogEntrySchema, snapshot);
}

/** An update that would store an invalid conversation fails the same way on every retry. */
function validUpdate(proposed: unknown): Conversation {
  const parsed = ConversationSchema.safeParse(proposed);
  if (parsed.success) return parsed.data;
  throw new PermanentFailure(
    `update would store an invalid conversation: ${describeIssues(parsed.error)}`,
  );
}

/** A stored document that no longer fits the model cannot be fixed by retrying. */
function parseStored<S extends z.ZodType>(schema: S, snapshot: DocumentSnapshot): z.infer<S> {
  const parsed = schema.safeParse(fromFirestore(snapshot.data()));
  if (parsed.success) return parsed.data;
  throw new PermanentFailure(
    `stored document ${snapshot.ref.path} is invalid: ${describeIssues(parsed.error)}`,
  );
}

/** The value with the named top-level ISO times as Timestamps and undefined fields dropped. */
function withTimestamps(value: object, times: readonly string[]): DocumentData {
  const doc: DocumentData = {};
  for (const [key, field] of Object.entries(withoutUndefined(value) as Record<string, unknown>)) {
    doc[key] =
      times.includes(key) && typeof field === 'string'
        ? Timestamp.fromDate(new Date(field))
        : field;
  }
  return doc;
}
