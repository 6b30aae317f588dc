import {
  FieldPath,
  FieldValue,
  Timestamp,
  type CollectionReference,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type QueryDocumentSnapshot,
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
 *
 * With `rememberConversations` (the classifier's), a customer's message to a conversation this
 * instance wrote last is applied in one round trip instead of a transaction's two, and reads
 * nothing: see `applyConditioned`.
 */
export class FirestoreConversationStore implements ConversationStore, ConversationRecords {
  private readonly now: () => Date;
  private readonly memory: ConversationMemory | undefined;

  constructor(
    private readonly db: Firestore,
    private readonly options: FirestoreConversationStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    const remember = options.rememberConversations ?? 0;
    this.memory = remember > 0 ? new ConversationMemory(remember) : undefined;
  }

  async applyInbound(event: InboundEvent, decide: Decide): Promise<ApplyInboundResult> {
    const refs = this.inboundRefs(event);
    const known =
      this.memory && logsMessage(event.kind) ? this.memory.recall(event.conversationId) : undefined;
    if (this.memory && known) {
      const applied = await this.applyConditioned(event, decide, refs, this.memory, known);
      if (applied) return applied;
    }
    const applied = await this.applyInTransaction(event, decide, refs);
    if (this.memory && !applied.duplicate && applied.result.conversation) {
      // A remembered version outlives events that leave the conversation as it was (typing,
      // receipts); one the transaction rewrote is known only to exist.
      if (applied.result.changed || !this.memory.knows(event.conversationId)) {
        this.memory.exists(event.conversationId);
      }
    }
    return applied;
  }

  /**
   * A message to a conversation this instance has seen, applied without a transaction: the
   * conversation and the message's log entry are written in one atomic batch whose
   * preconditions give the transaction's guarantees —
   *
   * - the conversation is updated only if its `updateTime` is still the one `decide` saw, so
   *   every other writer's change (another instance, automation's bot outcome, an agent, an
   *   erasure, which deletes the conversation with its tombstone) fails the batch;
   * - the log entry is `create`d: it is the event's marker, so a redelivery fails the batch.
   *
   * A failed batch writes nothing. The version `decide` sees is this instance's own last write
   * of the conversation, so the message costs one round trip and no read; failing that (unknown
   * version, or the batch lost), one read of the conversation, the marker and the tombstone
   * outside a transaction, and a batch conditioned on what was read: the two round trips of the
   * transaction, which cannot tell the version it wrote. A conversation that does not exist is
   * created only by the transaction, whose read of the tombstone serialises with an erasure; a
   * transition that would not write the conversation goes there too.
   *
   * Returns undefined when the event is for the transaction.
   */
  private async applyConditioned(
    event: InboundEvent,
    decide: Decide,
    refs: InboundRefs,
    memory: ConversationMemory,
    known: Remembered | 'exists',
  ): Promise<ApplyInboundResult | undefined> {
    if (known !== 'exists') {
      // The tombstone as it was with this version: since an erasure deletes the conversation
      // in the commit that writes the tombstone, it cannot have changed while the version holds
      // (and if the version is stale, the batch fails).
      if (known.erasure && predatesErasure(event.occurredAt, known.erasure)) {
        return { duplicate: true, erased: true };
      }
      const tried = await this.commitIfUnchanged(event, decide, known, refs, memory);
      if (tried === 'stale' || typeof tried === 'object') memory.settle(tried !== 'stale');
      if (typeof tried === 'object') return tried;
      if (tried === 'transaction') return undefined;
      // Stale, or the marker exists (a redelivery): what the store holds now says which.
    }
    const [current, done, erased] = await this.db.getAll(
      refs.conversation,
      refs.marker,
      refs.tombstone,
    );
    const settled = settledBefore(event, done, erased);
    if (settled) return settled;
    const conversation = readConversation(current);
    if (!conversation || !current?.updateTime) return undefined;
    const base: Remembered = {
      conversation,
      updateTime: current.updateTime,
      ...(erased?.exists ? { erasure: parseStored(Erasure, erased) } : {}),
    };
    const tried = await this.commitIfUnchanged(event, decide, base, refs, memory);
    return typeof tried === 'object' ? tried : undefined;
  }

  /**
   * `decide` on `base`, committed if the conversation is still `base` and the event has no
   * marker: the result, or why not (`stale`: the conversation changed or is gone; `duplicate`:
   * the marker exists; `transaction`: the transition is not one to apply this way).
   */
  private async commitIfUnchanged(
    event: InboundEvent,
    decide: Decide,
    base: Remembered,
    refs: InboundRefs,
    memory: ConversationMemory,
  ): Promise<ApplyInboundResult | 'stale' | 'duplicate' | 'transaction'> {
    const result = decide(base.conversation);
    const entry = result.effects.find((e) => e.type === 'log-inbound')?.entry;
    // Anything but "update the conversation, log the message" (receipts read our messages
    // first) is the transaction's.
    if (!result.changed || !result.conversation || !entry || receiptTargets(result).length > 0) {
      return 'transaction';
    }
    // `update` is the only write with an update-time precondition; the precondition makes the
    // stored document `base`, so writing the fields that differ from it stores `result`.
    const fields = changedFields(base.conversation, result.conversation);
    // An update must name a field (and one that names none would not move the update time).
    if (Object.keys(fields).length === 0) return 'transaction';
    const batch = this.db.batch();
    batch.update(refs.conversation, fields, { lastUpdateTime: base.updateTime });
    batch.create(refs.marker, entryToDoc(entry));
    try {
      const [written] = await batch.commit();
      if (written) {
        memory.remember(event.conversationId, {
          ...base,
          conversation: result.conversation,
          updateTime: written.writeTime,
        });
      }
      return { duplicate: false, result };
    } catch (error) {
      // Whatever happened, this instance no longer knows the conversation's version for sure.
      memory.forget(event.conversationId);
      const code = (error as { code?: unknown }).code;
      if (code === ALREADY_EXISTS) return 'duplicate';
      if (code === NOT_FOUND || code === FAILED_PRECONDITION) return 'stale';
      throw error;
    }
  }

  private applyInTransaction(
    event: InboundEvent,
    decide: Decide,
    refs: InboundRefs,
  ): Promise<ApplyInboundResult> {
    const { conversation, marker, tombstone } = refs;
    return this.transaction(async (tx): Promise<ApplyInboundResult> => {
      // One round trip for all three: the tombstone costs a document read, not a wait.
      const [current, done, erased] = await tx.getAll(conversation, marker, tombstone);
      const settled = settledBefore(event, done, erased);
      if (settled) return settled;
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

  private inboundRefs(event: InboundEvent): InboundRefs {
    const conversation = this.conversationRef(event.conversationId);
    return {
      conversation,
      marker: conversation
        .collection(logsMessage(event.kind) ? 'messages' : 'processed')
        .doc(firestoreId(event.dedupeKey)),
      tombstone: this.erasureRef(event.conversationId),
    };
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
    const existed = (await ref.get()).exists;
    // The tombstone and the conversation's deletion first, in one commit: a transaction applying
    // an event either committed before it (and what it wrote is deleted below) or reads the
    // tombstone and drops the event; a batch conditioned on the conversation's update time
    // (applyConditioned) either committed before it or fails, since the document is gone.
    const written = await this.db
      .batch()
      .set(this.erasureRef(conversationId), { erasedAt: Timestamp.fromDate(erasedAt) })
      .delete(ref)
      .commit();
    const committedAt = written[1]?.writeTime ?? Timestamp.now();
    this.memory?.forget(conversationId);
    await this.options.onErasureCommitted?.(conversationId);
    const deleted: Record<string, number> = { messages: 0, processed: 0 };
    // Every subcollection, not only the known ones: anything keyed by the conversation goes.
    // Only what existed at the erasure's commit: a customer who writes while the sweep runs
    // starts a new conversation, whose log and markers must stay.
    for (const collection of await ref.listCollections()) {
      deleted[collection.id] = await this.deleteAll(collection, committedAt);
    }
    return { conversation: existed, deleted };
  }

  /** Deletes a collection's documents created up to `createdBy`, in batches; how many. */
  private async deleteAll(collection: CollectionReference, createdBy: Timestamp): Promise<number> {
    let count = 0;
    let after: QueryDocumentSnapshot | undefined;
    for (;;) {
      const first = collection.select().orderBy(FieldPath.documentId()).limit(ERASE_BATCH);
      const page = await (after ? first.startAfter(after) : first).get();
      if (page.empty) return count;
      const old = page.docs.filter((doc) => doc.createTime.valueOf() <= createdBy.valueOf());
      if (old.length > 0) {
        const batch = this.db.batch();
        for (const doc of old) batch.delete(doc.ref);
        await batch.commit();
        count += old.length;
      }
      after = page.docs[page.docs.length - 1];
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
/**
 * A conditioned update whose document has changed since, or is gone (with an update-time
 * precondition Firestore answers FAILED_PRECONDITION for both; NOT_FOUND is kept for safety).
 */
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;
/** Deletes per batched write while erasing: well inside a request's size limit. */
const ERASE_BATCH = 400;

export interface FirestoreConversationStoreOptions {
  now?: () => Date;
  /**
   * How many conversations this instance remembers as it last wrote them (0, the default: none),
   * so that its next message to one is applied in one round trip (`applyConditioned`). Only worth
   * it where a conversation's events mostly reach the same instance: the classifier's.
   */
  rememberConversations?: number;
  /**
   * Called between an erasure's commit (tombstone written, conversation deleted) and the sweep
   * of what was under the conversation: where another writer may act. Tests use it.
   */
  onErasureCommitted?: (conversationId: string) => Promise<void>;
}

interface InboundRefs {
  conversation: DocumentReference;
  /** The event's marker: its log entry, or its `processed` document. */
  marker: DocumentReference;
  tombstone: DocumentReference;
}

/**
 * What the marker and the tombstone say before anything is decided: the event was applied
 * before (the first decision comes back), or it happened before the conversation was erased.
 */
function settledBefore(
  event: InboundEvent,
  done: DocumentSnapshot | undefined,
  erased: DocumentSnapshot | undefined,
): ApplyInboundResult | undefined {
  if (done?.exists) {
    const previous = RecordedRoutingSchema.safeParse(fromFirestore(done.get('routing')));
    return previous.success ? { duplicate: true, previous: previous.data } : { duplicate: true };
  }
  const erasure = erased?.exists ? parseStored(Erasure, erased) : undefined;
  if (erasure && predatesErasure(event.occurredAt, erasure)) {
    return { duplicate: true, erased: true };
  }
  return undefined;
}

export interface Remembered {
  conversation: Conversation;
  /** The document's update time with that content. */
  updateTime: Timestamp;
  /** The conversation's tombstone then (an earlier erasure), if it had one. */
  erasure?: Erasure;
}

/** Of the remembered versions tried, the share that may be stale before memory is bypassed. */
const STALE_LIMIT = 0.5;
/** While bypassed, every this-many-th message still tries memory, to notice it pays again. */
const PROBE_EVERY = 16;

/**
 * The conversations an instance wrote last, least recently written dropped first: the version it
 * wrote, or only that the conversation exists (written by a transaction, which cannot tell the
 * version). And whether remembering pays: a remembered version that turns out stale (another
 * instance or writer got there first) costs its failed commit on top of the read and commit
 * that follow, so where most are stale (a conversation's events spread over many instances)
 * versions are not tried, but for a probe, and a message costs the two round trips of a store
 * that remembers nothing.
 */
export class ConversationMemory {
  private readonly entries = new Map<string, Remembered | 'exists'>();
  /** Exponentially weighted share of stale tries, over roughly the last 20. */
  private staleShare = 0;
  private bypassed = 0;

  constructor(private readonly capacity: number) {}

  /** What this instance knows of the conversation (undefined: nothing). */
  recall(conversationId: string): Remembered | 'exists' | undefined {
    const entry = this.entries.get(conversationId);
    if (entry === undefined || entry === 'exists') return entry;
    if (this.staleShare > STALE_LIMIT && ++this.bypassed % PROBE_EVERY !== 0) return 'exists';
    return entry;
  }

  /** A version this instance wrote; an older one than remembered (a late commit) is ignored. */
  remember(conversationId: string, version: Remembered): void {
    const known = this.entries.get(conversationId);
    if (known && known !== 'exists' && known.updateTime.valueOf() > version.updateTime.valueOf()) {
      return;
    }
    this.put(conversationId, version);
  }

  /** The conversation exists (this instance wrote it), its version unknown. */
  exists(conversationId: string): void {
    this.put(conversationId, 'exists');
  }

  forget(conversationId: string): void {
    this.entries.delete(conversationId);
  }

  knows(conversationId: string): boolean {
    return this.entries.has(conversationId);
  }

  /** Whether a commit conditioned on a remembered version went through (true) or was stale. */
  settle(fresh: boolean): void {
    this.staleShare = this.staleShare * 0.95 + (fresh ? 0 : 0.05);
  }

  get size(): number {
    return this.entries.size;
  }

  private put(conversationId: string, entry: Remembered | 'exists'): void {
    this.entries.delete(conversationId);
    this.entries.set(conversationId, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

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

/**
 * The top-level fields of `next` that differ from `base`, as stored (a field `next` lacks is
 * deleted), for an update that turns the document `base` into `next`. Fields compare by their
 * JSON, so a map whose keys merely come in another order is written again: harmless.
 */
function changedFields(base: Conversation, next: Conversation): DocumentData {
  const before = base as Record<string, unknown>;
  const after = next as Record<string, unknown>;
  const doc: Record<string, unknown> = conversationToDoc(next);
  const changed: DocumentData = {};
  for (const [key, value] of Object.entries(doc)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = value;
  }
  for (const key of Object.keys(before)) {
    if (before[key] !== undefined && after[key] === undefined) changed[key] = FieldValue.delete();
  }
  return changed;
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
