import { Firestore, Timestamp } from '@google-cloud/firestore';
import { randomBytes } from 'node:crypto';
import { FirestoreConversationStore } from '../../functions/adapters/firestore-conversation-store';
import type { Conversation } from '../../functions/core/conversation';
import type { InboundEvent } from '../../functions/core/inbound-event';
import { transition } from '../../functions/core/state-machine';
import { reject } from '../../functions/ports/conversation-store';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { eventOf } from '../support/inbound-events';
import { conversationStoreContract, TestClock } from './conversation-store.contract';

/**
 * The classifier's store: FirestoreConversationStore with `rememberConversations`, which applies
 * a message to a conversation it wrote last in one batch conditioned on that version
 * (`applyConditioned`). It must keep every guarantee of the contract, and lose nothing to
 * another writer, a redelivery or an erasure in between.
 */
describeWithEmulators(
  'FirestoreConversationStore remembering conversations (the classifier)',
  () => {
    const projectId = uniqueProjectId('memory');

    // The first round trip of a process (the client connecting, the emulator's JIT) can take
    // seconds on a busy machine: paid here, under a timeout of its own, not by the first test.
    beforeAll(async () => {
      const db = new Firestore({ projectId });
      await db.doc('warm-up/first').get();
      await db.terminate();
    }, 60_000);

    describe('the conversation store contract', () => {
      conversationStoreContract(async (clock) => {
        const db = new Firestore({ projectId });
        return {
          store: new FirestoreConversationStore(db, { now: clock.now, rememberConversations: 50 }),
          close: () => db.terminate(),
        };
      });
    });

    describe('remembering conversations (the classifier’s store)', () => {
      let db: Firestore;
      let calls: Record<'getAll' | 'runTransaction' | 'batch', number>;
      /** This instance: remembers; `other`: another instance, or another function's store. */
      let store: FirestoreConversationStore;
      let other: FirestoreConversationStore;
      const clock = new TestClock();
      const settings = { missThreshold: 2 };
      const unique = () => `mem-${randomBytes(4).toString('hex')}`;
      const message = (id: string, n: number, minute = 15 + n) =>
        eventOf('text', {
          conversationId: id,
          requestId: `${id}-req-${n}`,
          patch: {
            message: {
              messageId: `${id}-m-${n}`,
              text: `message ${n}`,
              createTime: `2026-11-25T10:${String(minute).padStart(2, '0')}:00Z`,
            },
          },
        });
      /** Applies with the classifier's decision, recording what `decide` was shown. */
      const apply = async (s: FirestoreConversationStore, e: InboundEvent) => {
        const seen: (Conversation | null)[] = [];
        const result = await s.applyInbound(e, (current) => {
          seen.push(current);
          return transition(current, e, clock.now(), settings);
        });
        return { result, seen };
      };
      const take = () => {
        const taken = { ...calls };
        calls = { getAll: 0, runTransaction: 0, batch: 0 };
        return taken;
      };

      beforeAll(() => {
        db = new Firestore({ projectId });
        calls = { getAll: 0, runTransaction: 0, batch: 0 };
        // Counts the round trips the store starts: a transaction is a read and a commit, a
        // batch one commit, getAll one read.
        const counted = new Proxy(db, {
          get(target, prop) {
            const value: unknown = Reflect.get(target, prop, target);
            if (typeof value !== 'function') return value;
            const fn = value as (...args: unknown[]) => unknown;
            return (...args: unknown[]) => {
              if (prop === 'getAll' || prop === 'runTransaction' || prop === 'batch') calls[prop]++;
              return fn.apply(target, args);
            };
          },
        });
        store = new FirestoreConversationStore(counted, {
          now: clock.now,
          rememberConversations: 10,
        });
        other = new FirestoreConversationStore(db, { now: clock.now });
      });
      afterAll(() => db.terminate());
      beforeEach(() => clock.set('2026-11-25T12:00:00.000Z'));

      it('creates in a transaction, then reads once, then commits alone with nothing read', async () => {
        const id = unique();
        take();
        await apply(store, message(id, 1));
        expect(take()).toEqual({ getAll: 0, runTransaction: 1, batch: 0 });
        await apply(store, message(id, 2));
        expect(take()).toEqual({ getAll: 1, runTransaction: 0, batch: 1 });
        const third = await apply(store, message(id, 3));
        expect(take()).toEqual({ getAll: 0, runTransaction: 0, batch: 1 });
        expect(third.seen).toEqual([expect.objectContaining({ version: 2 })]);

        const stored = await db.doc(`conversations/${id}`).get();
        expect(third.result).toMatchObject({ duplicate: false });
        if (third.result.duplicate) return;
        expect(await other.getConversation(id)).toEqual(third.result.result.conversation);
        expect(stored.get('version')).toBe(3);
        expect(stored.get('lastUserMessageAt')).toEqual(
          Timestamp.fromDate(new Date('2026-11-25T10:18:00Z')),
        );
        expect((await other.getMessages(id, 10)).map((m) => m.key)).toEqual([
          `r:${id}-req-1`,
          `r:${id}-req-2`,
          `r:${id}-req-3`,
        ]);
      });

      it('typing in between (a transaction that leaves the conversation) keeps what was remembered', async () => {
        const id = unique();
        await apply(store, message(id, 1));
        await apply(store, message(id, 2)); // remembered
        take();
        await apply(store, eventOf('typing', { conversationId: id }));
        expect(take()).toEqual({ getAll: 0, runTransaction: 1, batch: 0 });
        await apply(store, message(id, 3));
        expect(take()).toEqual({ getAll: 0, runTransaction: 0, batch: 1 });
        expect(await other.getConversation(id)).toMatchObject({ version: 3 });
      });

      it('a redelivery is a duplicate with the first decision, written once', async () => {
        const id = unique();
        await apply(store, message(id, 1));
        await apply(store, message(id, 2));
        const first = await apply(store, message(id, 3));
        take();
        const again = await apply(store, message(id, 3));
        expect(again.result).toEqual({
          duplicate: true,
          previous: first.result.duplicate ? undefined : first.result.result.routing,
        });
        // The remembered conversation already holds the message, so applying it again would not
        // change it: that goes to the transaction, which finds the marker. Nothing is committed.
        expect(take()).toEqual({ getAll: 0, runTransaction: 1, batch: 0 });
        expect(await other.getConversation(id)).toMatchObject({ version: 3 });
        expect(await other.getMessages(id, 10)).toHaveLength(3);
      });

      it('a message another instance applied first is a duplicate with its decision', async () => {
        const id = unique();
        await apply(store, message(id, 1));
        await apply(store, message(id, 2)); // remembered: version 2
        const elsewhere = await apply(other, message(id, 3));
        take();
        const here = await apply(store, message(id, 3));
        expect(here.result).toEqual({
          duplicate: true,
          previous: elsewhere.result.duplicate ? undefined : elsewhere.result.result.routing,
        });
        // The batch on the remembered version fails; the read then finds the marker.
        expect(take()).toEqual({ getAll: 1, runTransaction: 0, batch: 1 });
        expect(await other.getConversation(id)).toMatchObject({ version: 3 });
        expect(await other.getMessages(id, 10)).toHaveLength(3);
      });

      it('another writer in between: decided on what it wrote, not on what was remembered', async () => {
        const id = unique();
        await apply(store, message(id, 1));
        await apply(store, message(id, 2)); // remembered: version 2, state bot
        await other.applyInbound(eventOf('liveAgentRequest', { conversationId: id }), (current) =>
          transition(
            current,
            eventOf('liveAgentRequest', { conversationId: id }),
            clock.now(),
            settings,
          ),
        );
        const claimed = await other.updateConversation(id, 'claim-1', (c) =>
          c
            ? { ...c, state: 'with_agent', assignee: { agentId: 'a-1', displayName: 'Ann' } }
            : reject('x', 'x'),
        );
        expect(claimed).toMatchObject({ ok: true, conversation: { version: 4 } });
        take();

        const next = await apply(store, message(id, 3, 40));
        // The stale version's commit fails; decided again on the stored conversation.
        expect(next.seen).toEqual([
          expect.objectContaining({ version: 2, state: 'bot' }),
          expect.objectContaining({ version: 4, state: 'with_agent' }),
        ]);
        expect(take()).toEqual({ getAll: 1, runTransaction: 0, batch: 2 });
        expect(next.result).toMatchObject({
          duplicate: false,
          result: { routing: { decision: { route: 'live-agent' } } },
        });
        expect(await other.getConversation(id)).toMatchObject({
          version: 5,
          state: 'with_agent',
          assignee: { agentId: 'a-1' },
          lastUserMessageAt: '2026-11-25T10:40:00.000Z',
        });
      });

      it('erased meanwhile: an event from before the erasure is dropped, one after it starts anew', async () => {
        const id = unique();
        await apply(store, message(id, 1));
        await apply(store, message(id, 2)); // remembered
        await other.eraseConversation(id, clock.now());

        const before = await apply(store, message(id, 3));
        expect(before.result).toEqual({ duplicate: true, erased: true });
        expect(await other.exportConversation(id)).toMatchObject({
          conversation: null,
          messages: [],
          markers: [],
        });

        clock.set('2026-11-25T12:31:00.000Z');
        const after = eventOf('text', {
          conversationId: id,
          requestId: `${id}-after`,
          patch: { message: { messageId: `${id}-m-after`, createTime: '2026-11-25T12:30:00Z' } },
        });
        expect((await apply(store, after)).result).toMatchObject({ duplicate: false });
        const record = await other.exportConversation(id);
        expect(record.conversation).toMatchObject({ id, version: 1 });
        expect(record.messages.map((m) => m.key)).toEqual([`r:${id}-after`]);
      });

      it('started again after an erasure: an event from before it is still dropped, unread', async () => {
        const id = unique();
        await apply(store, message(id, 1));
        await apply(store, message(id, 2));
        await other.eraseConversation(id, clock.now()); // 12:00
        clock.set('2026-11-25T12:40:00.000Z');
        const afterwards = (n: number) =>
          eventOf('text', {
            conversationId: id,
            requestId: `${id}-after-${n}`,
            patch: {
              message: { messageId: `${id}-a-${n}`, createTime: `2026-11-25T12:3${n}:00Z` },
            },
          });
        await apply(store, afterwards(1)); // the transaction creates it anew
        await apply(store, afterwards(2)); // read, with the tombstone: remembered
        take();
        const before = await apply(store, message(id, 1)); // Google delivers it once more
        expect(before.result).toEqual({ duplicate: true, erased: true });
        expect(before.seen).toEqual([]);
        expect(take()).toEqual({ getAll: 0, runTransaction: 0, batch: 0 });
        expect((await other.getMessages(id, 10)).map((m) => m.key)).toEqual([
          `r:${id}-after-1`,
          `r:${id}-after-2`,
        ]);
        await apply(store, afterwards(3));
        expect(take()).toEqual({ getAll: 0, runTransaction: 0, batch: 1 });
      });

      it('concurrent messages of one conversation: each applied once, none lost', async () => {
        const id = unique();
        await apply(store, message(id, 1));
        await apply(store, message(id, 2)); // remembered
        const results = await Promise.all([3, 4, 5, 6].map((n) => apply(store, message(id, n))));
        expect(results.every((r) => !r.result.duplicate)).toBe(true);
        // A message applied after a newer one changes nothing on the conversation (its times only
        // move forward), so the version counts the messages that did change it.
        const changed = results.filter((r) => !r.result.duplicate && r.result.result.changed);
        expect(await other.getConversation(id)).toMatchObject({
          version: 2 + changed.length,
          lastUserMessageAt: '2026-11-25T10:21:00.000Z',
          lastMessage: { text: 'message 6' },
        });
        expect(await other.getMessages(id, 10)).toHaveLength(6);
      }, 60_000);
    });
  },
);
