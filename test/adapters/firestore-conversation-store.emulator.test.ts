import { Firestore, Timestamp } from '@google-cloud/firestore';
import { randomBytes } from 'node:crypto';
import { FirestoreConversationStore } from '../../functions/adapters/firestore-conversation-store';
import type { InboundEvent } from '../../functions/core/inbound-event';
import { transition } from '../../functions/core/state-machine';
import { reject } from '../../functions/ports/conversation-store';
import { countingFirestore } from '../support/counting-firestore';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { eventOf } from '../support/inbound-events';
import { conversationStoreContract, TestClock } from './conversation-store.contract';

// Concurrent transactions on one document can wait on the emulator's lock timeouts: the
// contention tests carry their own (generous) timeouts; see the README's testing notes.
describeWithEmulators('FirestoreConversationStore on the Firestore emulator', () => {
  const projectId = uniqueProjectId('store');

  describe('the conversation store contract', () => {
    conversationStoreContract(async (clock) => {
      const db = new Firestore({ projectId });
      return {
        store: new FirestoreConversationStore(db, { now: clock.now }),
        close: () => db.terminate(),
      };
    });
  });

  describe('on Firestore', () => {
    let db: Firestore;
    let counter: ReturnType<typeof countingFirestore>;
    let store: FirestoreConversationStore;
    const clock = new TestClock();
    const settings = { missThreshold: 2 };
    const apply = (e: InboundEvent) =>
      store.applyInbound(e, (current) => transition(current, e, clock.now(), settings));
    const unique = () => `conv-${randomBytes(4).toString('hex')}`;

    beforeAll(() => {
      db = new Firestore({ projectId });
      counter = countingFirestore(db);
      store = new FirestoreConversationStore(counter.firestore, { now: clock.now });
    });
    afterAll(() => db.terminate());

    it('lays out conversations, the message log and markers with TTL fields', async () => {
      const id = unique();
      const text = eventOf('text', { conversationId: id });
      const typing = eventOf('typing', { conversationId: id });
      await apply(text);
      await apply(typing);

      const conversation = await db.doc(`conversations/${id}`).get();
      expect(conversation.get('state')).toBe('bot');
      expect(conversation.get('lastUserMessageAt')).toEqual(
        Timestamp.fromDate(new Date('2026-11-25T10:15:30.123Z')),
      );
      expect(conversation.get('updatedAt')).toBeInstanceOf(Timestamp);

      const entry = await db.doc(`conversations/${id}/messages/${text.dedupeKey}`).get();
      expect(entry.get('text')).toBe('Hello, are you open on Sunday?');
      expect(entry.get('routing.decision')).toEqual({ route: 'automation', reason: 'default' });
      expect((entry.get('expireAt') as Timestamp).toDate().toISOString()).toBe(
        '2027-12-30T12:00:00.000Z', // recordedAt + 400 days
      );

      const marker = await db.doc(`conversations/${id}/processed/${typing.dedupeKey}`).get();
      expect(marker.get('routing.decision')).toEqual({ route: null, reason: 'no-human-engaged' });
      expect((marker.get('expireAt') as Timestamp).toDate().toISOString()).toBe(
        '2026-12-25T12:00:00.000Z', // recordedAt + 30 days
      );
    });

    it('writes per event, counted on committed transactions', async () => {
      const id = unique();
      counter.take();
      const text = eventOf('text', { conversationId: id });
      await apply(text);
      expect(counter.take()).toBe(2); // conversation + log entry (= processed marker)
      await apply(text);
      expect(counter.take()).toBe(0); // a redelivery writes nothing
      await apply(
        eventOf('text', {
          conversationId: id,
          requestId: 'second-message',
          patch: { message: { messageId: 'm-2', createTime: '2026-11-25T10:20:00Z' } },
        }),
      );
      expect(counter.take()).toBe(2);
      await store.recordBotOutcome(id, text.dedupeKey, false);
      expect(counter.take()).toBe(1); // automation's outcome: the conversation only
      await apply(eventOf('typing', { conversationId: id }));
      expect(counter.take()).toBe(1); // the marker
      await apply(eventOf('readReceipts', { conversationId: id }));
      expect(counter.take()).toBe(3); // the marker + two messages' status
      await store.recordOutbound(id, {
        id: 'bot-reply-1',
        kind: 'message',
        status: 'SENT',
        at: new Date('2026-11-25T10:16:00Z'),
        causedBy: text.dedupeKey,
      });
      expect(counter.take()).toBe(1);
      await apply(eventOf('liveAgentRequest', { conversationId: id }));
      counter.take();
      await store.updateConversation(id, 'claim-1', (c) =>
        c
          ? { ...c, state: 'with_agent', assignee: { agentId: 'a', displayName: 'A' } }
          : reject('x', 'x'),
      );
      expect(counter.take()).toBe(2); // the conversation + the idempotency marker
    });

    it('a stored conversation that no longer fits the model is a permanent failure', async () => {
      const id = unique();
      await db.doc(`conversations/${id}`).set({ state: 'paused', brandId: 'velo-cafe' });
      const text = eventOf('text', { conversationId: id });
      await expect(apply(text)).rejects.toMatchObject({
        name: 'PermanentFailure',
        retryable: false,
        message: expect.stringContaining(`conversations/${id} is invalid`),
      });
    });

    it('a customer who writes while an erasure sweeps starts anew, and keeps what they wrote', async () => {
      const id = unique();
      clock.set('2026-11-25T12:00:00.000Z');
      const before = [1, 2, 3].map((n) =>
        eventOf('text', {
          conversationId: id,
          requestId: `${id}-before-${n}`,
          patch: { message: { messageId: `${id}-b-${n}`, createTime: `2026-11-25T11:0${n}:00Z` } },
        }),
      );
      for (const e of before) await apply(e);
      const after = eventOf('text', {
        conversationId: id,
        requestId: `${id}-after`,
        patch: { message: { messageId: `${id}-a`, createTime: '2026-11-25T12:05:00Z' } },
      });
      // Between the erasure's commit and its sweep, the customer's new message is applied.
      const erasing = new FirestoreConversationStore(db, {
        now: clock.now,
        onErasureCommitted: async () => {
          clock.set('2026-11-25T12:06:00.000Z');
          expect(await apply(after)).toMatchObject({ duplicate: false });
        },
      });
      const report = await erasing.eraseConversation(id, new Date('2026-11-25T12:00:00Z'));

      expect(report).toEqual({ conversation: true, deleted: { messages: 3, processed: 0 } });
      const record = await store.exportConversation(id);
      expect(record.conversation).toMatchObject({ id, version: 1 });
      expect(record.messages.map((m) => m.key)).toEqual([`r:${id}-after`]);
      // And a redelivery of the new message is still recognised.
      expect(await apply(after)).toMatchObject({ duplicate: true });
      // One from before the erasure stays dropped.
      expect(await apply(before[0] as InboundEvent)).toEqual({ duplicate: true, erased: true });
    });
  });
});
