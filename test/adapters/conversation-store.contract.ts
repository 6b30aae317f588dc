import { randomBytes } from 'node:crypto';
import type { Conversation } from '../../functions/core/conversation';
import type { InboundEvent } from '../../functions/core/inbound-event';
import { transition } from '../../functions/core/state-machine';
import {
  reject,
  type ConversationRecords,
  type ConversationStore,
  type UpdateFn,
} from '../../functions/ports/conversation-store';
import { eventOf, type BodyOptions } from '../support/inbound-events';
import type { FixtureName } from '../fixtures/webhook-events';

export interface StoreHarness {
  store: ConversationStore & ConversationRecords;
  close(): Promise<void>;
}

/** The store's clock, which tests move. */
export class TestClock {
  private current = new Date('2026-11-25T12:00:00.000Z');
  readonly now = (): Date => new Date(this.current);
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

const settings = { missThreshold: 2 };

/**
 * One behaviour, two implementations: the in-memory store and the Firestore store (on the
 * emulator) must both pass this. Every test works on conversations and brands of its own, so
 * a store shared by the suite needs no clearing.
 */
export function conversationStoreContract(make: (clock: TestClock) => Promise<StoreHarness>) {
  let harness: StoreHarness;
  let store: ConversationStore & ConversationRecords;
  let clock: TestClock;

  beforeAll(async () => {
    clock = new TestClock();
    harness = await make(clock);
    store = harness.store;
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(() => clock.set('2026-11-25T12:00:00.000Z'));

  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
  const event = (name: FixtureName, conversationId: string, options: BodyOptions = {}) =>
    eventOf(name, { conversationId, ...options });
  const apply = (e: InboundEvent) =>
    store.applyInbound(e, (current) => transition(current, e, clock.now(), settings));

  describe('applyInbound', () => {
    it('applies an event once; a redelivery is a duplicate carrying the first decision', async () => {
      const id = unique('once');
      const text = event('text', id);
      const first = await apply(text);
      expect(first.duplicate).toBe(false);
      if (first.duplicate) return;
      expect(first.result.routing.decision).toEqual({ route: 'automation', reason: 'default' });

      const decide = jest.fn((current: Conversation | null) =>
        transition(current, text, clock.now(), settings),
      );
      const again = await store.applyInbound(text, decide);
      expect(again).toEqual({ duplicate: true, previous: first.result.routing });
      expect(decide).not.toHaveBeenCalled();

      const stored = await store.getConversation(id);
      expect(stored).toEqual(first.result.conversation);
      expect(stored).toMatchObject({
        state: 'bot',
        version: 1,
        brandId: 'velo-cafe',
        lastUserMessageAt: '2026-11-25T10:15:30.123Z',
      });
      const messages = await store.getMessages(id, 10);
      expect(messages).toEqual([
        expect.objectContaining({
          direction: 'inbound',
          key: text.dedupeKey,
          dedupeKey: text.dedupeKey,
          kind: 'text',
          text: 'Hello, are you open on Sunday?',
          routing: first.result.routing,
        }),
      ]);
    });

    it('five concurrent deliveries of one event: one state change, one log entry', async () => {
      const id = unique('concurrent');
      const request = event('liveAgentRequest', id);
      const results = await Promise.all(Array.from({ length: 5 }, () => apply(request)));
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      const applied = results.find((r) => !r.duplicate);
      for (const r of results.filter((d) => d.duplicate)) {
        expect(r).toEqual({
          duplicate: true,
          previous: applied && !applied.duplicate ? applied.result.routing : undefined,
        });
      }
      expect(await store.getConversation(id)).toMatchObject({ state: 'queued', version: 1 });
      expect(await store.getMessages(id, 10)).toHaveLength(1);
    }, 60_000);

    it('each event changes the state once, in turn', async () => {
      const id = unique('turns');
      await apply(event('text', id));
      await apply(event('liveAgentRequest', id));
      await apply(event('liveAgentRequest', id)); // redelivered
      expect(await store.getConversation(id)).toMatchObject({ state: 'queued', version: 2 });
      expect((await store.getMessages(id, 10)).map((m) => m.kind)).toEqual([
        'text',
        'liveAgentRequest',
      ]);
    });

    it('typing and receipts are marked processed without a log entry or a conversation', async () => {
      const id = unique('marks');
      const typing = event('typing', id);
      expect(await apply(typing)).toMatchObject({ duplicate: false });
      expect(await apply(typing)).toEqual({
        duplicate: true,
        previous: {
          decision: { route: null, reason: 'no-human-engaged' },
          conversation: null,
          routedAt: clock.now().toISOString(),
        },
      });
      const receipt = event('deliveredReceipt', id);
      expect(await apply(receipt)).toMatchObject({ duplicate: false });
      expect(await apply(receipt)).toMatchObject({ duplicate: true });
      expect(await store.getConversation(id)).toBeNull();
      expect((await store.getMessages(id, 10)).map((m) => m.direction)).toEqual(['outbound']);
    });

    it('a receipt that arrives before the send was recorded; status only moves forward', async () => {
      const id = unique('receipts');
      await apply(event('readReceipts', id));
      const read = await store.getMessages(id, 10);
      expect(read).toEqual([
        expect.objectContaining({ key: 'bot-reply-1', direction: 'outbound', status: 'READ' }),
        expect.objectContaining({ key: 'bot-reply-2', direction: 'outbound', status: 'READ' }),
      ]);

      await store.recordOutbound(id, {
        id: 'bot-reply-1',
        kind: 'message',
        status: 'SENT',
        at: new Date('2026-11-25T10:16:00.000Z'),
        representativeType: 'BOT',
        text: 'We open at 9 on Sundays.',
        causedBy: 'r:req-1',
      });
      await apply(event('deliveredReceipt', id));
      const [first] = await store.getMessages(id, 10);
      expect(first).toEqual({
        direction: 'outbound',
        key: 'bot-reply-1',
        kind: 'message',
        status: 'READ',
        statusAt: '2026-11-25T10:16:59.500Z',
        at: '2026-11-25T10:16:00.000Z',
        recordedAt: '2026-11-25T12:00:00.000Z',
        representativeType: 'BOT',
        text: 'We open at 9 on Sundays.',
        causedBy: 'r:req-1',
      });
    });

    it('keys that are not valid document IDs still work', async () => {
      const id = `__${unique('odd/../id')}__`;
      const text = event('text', id, { requestId: '__req/with/slashes__' });
      expect(await apply(text)).toMatchObject({ duplicate: false });
      expect(await apply(text)).toMatchObject({ duplicate: true });
      expect(await store.getConversation(id)).toMatchObject({ id, state: 'bot' });
      expect((await store.getMessages(id, 10)).map((m) => m.key)).toEqual([
        'r:__req/with/slashes__',
      ]);
    });
  });

  describe('the sender’s OutboundLog', () => {
    it('lastUserMessageAt: undefined until the customer writes', async () => {
      const id = unique('window');
      expect(await store.lastUserMessageAt(id)).toBeUndefined();
      await apply(event('text', id));
      expect(await store.lastUserMessageAt(id)).toEqual(new Date('2026-11-25T10:15:30.123Z'));
    });

    it('recordOutbound: repeated, lower and failed outcomes never lower SENT', async () => {
      const id = unique('outbound');
      const send = {
        id: 'reply-1',
        kind: 'message' as const,
        at: new Date('2026-11-25T11:00:00.000Z'),
        causedBy: 'r:req-9',
        representativeType: 'HUMAN' as const,
        text: 'Sam here.',
      };
      await store.recordOutbound(id, { ...send, status: 'FAILED', reason: 'UNAVAILABLE' });
      await store.recordOutbound(id, { ...send, status: 'SENT' });
      await store.recordOutbound(id, { ...send, status: 'SENT' });
      await store.recordOutbound(id, { ...send, status: 'EXPIRED', reason: 'window closed' });
      const [entry] = await store.getMessages(id, 10);
      expect(entry).toEqual({
        direction: 'outbound',
        key: 'reply-1',
        kind: 'message',
        status: 'SENT',
        statusAt: '2026-11-25T11:00:00.000Z',
        at: '2026-11-25T11:00:00.000Z',
        recordedAt: '2026-11-25T12:00:00.000Z',
        representativeType: 'HUMAN',
        text: 'Sam here.',
        causedBy: 'r:req-9',
      });
    });

    it('recordOutbound: a key that is a customer’s event is refused for good and left alone', async () => {
      const id = unique('clash');
      const text = event('text', id);
      await apply(text);
      const before = await store.getMessages(id, 10);
      const clash = store.recordOutbound(id, {
        id: text.dedupeKey,
        kind: 'message',
        status: 'SENT',
        at: new Date('2026-11-25T11:00:00.000Z'),
        causedBy: 'r:req-9',
      });
      await expect(clash).rejects.toMatchObject({ retryable: false });
      expect(await store.getMessages(id, 10)).toEqual(before);
    });
  });

  describe('recordBotOutcome', () => {
    it('counts each inbound event once: misses add up, a match resets', async () => {
      const id = unique('misses');
      expect(await store.recordBotOutcome(id, 'r:x', false)).toEqual({
        status: 'no-conversation',
        botMisses: 0,
      });
      await apply(event('text', id));
      expect(await store.recordBotOutcome(id, 'r:1', false)).toEqual({
        status: 'recorded',
        botMisses: 1,
      });
      expect(await store.recordBotOutcome(id, 'r:1', false)).toEqual({
        status: 'duplicate',
        botMisses: 1,
      });
      expect(await store.recordBotOutcome(id, 'r:2', false)).toMatchObject({ botMisses: 2 });
      expect(await store.getConversation(id)).toMatchObject({ botMisses: 2, version: 3 });
      expect(await store.recordBotOutcome(id, 'r:3', true)).toMatchObject({ botMisses: 0 });
    });

    it('is ignored once a human has the conversation', async () => {
      const id = unique('ignored');
      await apply(event('liveAgentRequest', id));
      expect(await store.recordBotOutcome(id, 'r:1', false)).toEqual({
        status: 'ignored',
        botMisses: 0,
      });
      expect(await store.getConversation(id)).toMatchObject({ version: 1 });
    });
  });

  describe('updateConversation', () => {
    const claim =
      (agentId: string): UpdateFn =>
      (current) => {
        if (current === null) return reject('not-found', 'no such conversation');
        if (current.state !== 'queued') return reject('already-claimed', 'not waiting');
        return { ...current, state: 'with_agent', assignee: { agentId, displayName: agentId } };
      };

    it('applies once per idempotency key and stamps the store’s bookkeeping', async () => {
      const id = unique('claim');
      await apply(event('liveAgentRequest', id));
      clock.set('2026-11-25T12:05:00.000Z');
      const claimed = await store.updateConversation(id, 'claim-1', claim('agent-7'));
      expect(claimed).toMatchObject({
        ok: true,
        duplicate: false,
        conversation: {
          state: 'with_agent',
          assignee: { agentId: 'agent-7', displayName: 'agent-7' },
          version: 2,
          stateChangedAt: '2026-11-25T12:05:00.000Z',
          updatedAt: '2026-11-25T12:05:00.000Z',
        },
      });
      const fn = jest.fn(claim('agent-7'));
      const retried = await store.updateConversation(id, 'claim-1', fn);
      expect(retried).toEqual({
        ok: true,
        duplicate: true,
        conversation: claimed.ok ? claimed.conversation : undefined,
      });
      expect(fn).not.toHaveBeenCalled();
      expect(await store.getConversation(id)).toEqual(claimed.ok ? claimed.conversation : null);
    });

    it('a rejection changes nothing', async () => {
      const id = unique('rejected');
      expect(await store.updateConversation(id, 'k', claim('a'))).toEqual({
        ok: false,
        rejection: { rejected: true, code: 'not-found', message: 'no such conversation' },
      });
      await apply(event('text', id));
      expect(await store.updateConversation(id, 'k', claim('a'))).toMatchObject({
        ok: false,
        rejection: { code: 'already-claimed' },
      });
      expect(await store.getConversation(id)).toMatchObject({ state: 'bot', version: 1 });
    });

    it('of ten concurrent claims exactly one wins', async () => {
      const id = unique('race');
      await apply(event('liveAgentRequest', id));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.updateConversation(id, `claim-${i}`, claim(`agent-${i}`)),
        ),
      );
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.rejection.code === 'already-claimed')).toHaveLength(
        9,
      );
      const winner = winners[0]?.ok ? winners[0].conversation.assignee : undefined;
      expect((await store.getConversation(id))?.assignee).toEqual(winner);
      expect(await store.getConversation(id)).toMatchObject({ version: 2 });
    }, 90_000);
  });

  describe('reads', () => {
    it('getMessages: the newest entries, oldest first, whatever the arrival order', async () => {
      const id = unique('log');
      const textAt = (n: number, time: string) =>
        event('text', id, {
          requestId: `req-${n}`,
          patch: { message: { messageId: `m-${n}`, text: `#${n}`, createTime: time } },
        });
      await apply(textAt(3, '2026-11-25T10:03:00Z'));
      await apply(textAt(1, '2026-11-25T10:01:00Z'));
      await store.recordOutbound(id, {
        id: 'reply-2',
        kind: 'message',
        status: 'SENT',
        at: new Date('2026-11-25T10:02:00Z'),
        causedBy: 'r:req-1',
      });
      await apply(textAt(4, '2026-11-25T10:04:00Z'));
      expect((await store.getMessages(id, 10)).map((m) => m.key)).toEqual([
        'r:req-1',
        'reply-2',
        'r:req-3',
        'r:req-4',
      ]);
      expect((await store.getMessages(id, 2)).map((m) => m.key)).toEqual(['r:req-3', 'r:req-4']);
      expect(await store.getMessages(unique('none'), 5)).toEqual([]);
    });

    it('listConversations: by brands, states and assignee; most recently updated first', async () => {
      const brandA = unique('brand-a');
      const brandB = unique('brand-b');
      const agentOf = (brand: string) => `brands/${brand}/agents/agent-1`;
      const open = async (brand: string, name: FixtureName, time: string) => {
        const id = unique('list');
        clock.set(time);
        await apply(event(name, id, { patch: { agent: agentOf(brand) } }));
        return id;
      };
      const a1 = await open(brandA, 'text', '2026-11-25T12:01:00.000Z');
      const a2 = await open(brandA, 'liveAgentRequest', '2026-11-25T12:02:00.000Z');
      const a3 = await open(brandA, 'liveAgentRequest', '2026-11-25T12:03:00.000Z');
      const b1 = await open(brandB, 'liveAgentRequest', '2026-11-25T12:04:00.000Z');
      clock.set('2026-11-25T12:05:00.000Z');
      await store.updateConversation(a2, 'claim', (c) =>
        c
          ? { ...c, state: 'with_agent', assignee: { agentId: 'sam', displayName: 'Sam' } }
          : reject('x', 'x'),
      );

      const ids = async (q: Parameters<ConversationStore['listConversations']>[0]) =>
        (await store.listConversations(q)).map((c) => c.id);
      expect(
        await ids({ brandIds: [brandA], states: ['queued', 'with_agent'], limit: 10 }),
      ).toEqual([a2, a3]);
      expect(await ids({ brandIds: [brandA, brandB], states: ['queued'], limit: 10 })).toEqual([
        b1,
        a3,
      ]);
      expect(await ids({ brandIds: [brandA, brandB], states: ['queued'], limit: 1 })).toEqual([b1]);
      expect(await ids({ brandIds: [brandA], states: ['bot'], limit: 10 })).toEqual([a1]);
      expect(
        await ids({
          brandIds: [brandA, brandB],
          states: ['with_agent'],
          assigneeId: 'sam',
          limit: 10,
        }),
      ).toEqual([a2]);
      expect(
        await ids({ brandIds: [brandA], states: ['with_agent'], assigneeId: 'kim', limit: 10 }),
      ).toEqual([]);
      expect(await ids({ brandIds: [], states: ['queued'], limit: 10 })).toEqual([]);
      await expect(
        store.listConversations({
          brandIds: Array.from({ length: 11 }, (_, i) => `b${i}`),
          states: ['bot', 'queued', 'with_agent'],
          limit: 10,
        }),
      ).rejects.toThrow(RangeError);
    });
  });

  describe('customers’ data requests (ConversationRecords)', () => {
    const later = (id: string, requestId: string) =>
      event('text', id, {
        requestId,
        patch: { message: { messageId: `m-${requestId}`, createTime: '2026-11-25T12:30:00Z' } },
      });

    it('exportConversation: the conversation, its whole log and its markers', async () => {
      const id = unique('export');
      await apply(event('text', id));
      await apply(event('typing', id));
      await store.updateConversation(id, 'close-1', (c) =>
        c ? { ...c, state: 'closed' } : reject('x', 'x'),
      );
      const record = await store.exportConversation(id);
      expect(record.conversation).toMatchObject({ id, state: 'closed' });
      expect(record.messages.map((m) => m.kind)).toEqual(['text']);
      expect(record.markers.map((m) => m.key).sort()).toEqual(
        [event('typing', id).dedupeKey, 'u:close-1'].sort(),
      );
      expect(record.erasedAt).toBeNull();
      expect(await store.exportConversation(unique('none'))).toEqual({
        conversation: null,
        messages: [],
        markers: [],
        erasedAt: null,
      });
    });

    it('eraseConversation: everything goes; a tombstone without content stays', async () => {
      const id = unique('erase');
      await apply(event('text', id));
      await apply(event('typing', id));
      await store.recordOutbound(id, {
        id: 'reply-1',
        kind: 'message',
        status: 'SENT',
        at: new Date('2026-11-25T10:16:00.000Z'),
        text: 'We open at 9.',
        causedBy: 'r:req-1',
      });
      const report = await store.eraseConversation(id, clock.now());
      expect(report).toEqual({ conversation: true, deleted: { messages: 2, processed: 1 } });
      expect(await store.getConversation(id)).toBeNull();
      expect(await store.exportConversation(id)).toEqual({
        conversation: null,
        messages: [],
        markers: [],
        erasedAt: clock.now().toISOString(),
      });
    });

    it('an event from before the erasure, delivered again, is dropped', async () => {
      const id = unique('redelivered');
      const text = event('text', id);
      await apply(text);
      await store.eraseConversation(id, clock.now());
      const decide = jest.fn((current: Conversation | null) =>
        transition(current, text, clock.now(), settings),
      );
      expect(await store.applyInbound(text, decide)).toEqual({ duplicate: true, erased: true });
      expect(decide).not.toHaveBeenCalled();
      expect(await apply(event('liveAgentRequest', id))).toEqual({
        duplicate: true,
        erased: true,
      });
      expect(await store.exportConversation(id)).toMatchObject({
        conversation: null,
        messages: [],
        markers: [],
      });
    });

    it('a customer who writes after the erasure starts a new conversation', async () => {
      const id = unique('after');
      await apply(event('text', id));
      await store.eraseConversation(id, clock.now());
      clock.set('2026-11-25T12:31:00.000Z');
      expect(await apply(later(id, 'after-1'))).toMatchObject({ duplicate: false });
      const record = await store.exportConversation(id);
      expect(record.conversation).toMatchObject({ id, version: 1 });
      expect(record.messages.map((m) => m.key)).toEqual(['r:after-1']);
      expect(record.erasedAt).toBe('2026-11-25T12:00:00.000Z');
    });
  });
}
