import {
  RECENT_BOT_OUTCOMES,
  advancesStatus,
  applyBotOutcome,
  canonicalSnapshot,
  checkListQuery,
  expiryAfter,
  finishUpdate,
  isoTime,
  mergeOutbound,
  snapshotOf,
  type Conversation,
  type DeliveryStatus,
  type OutboundLogEntry,
} from '../../functions/core/conversation';
import { aConversation } from '../support/conversations';

const NOW = new Date('2026-11-25T12:00:00.000Z');

const conversation = (overrides: Partial<Conversation> = {}): Conversation =>
  aConversation({
    locale: 'en',
    origin: { entryPoint: 'MAPS' },
    lastUserMessageAt: '2026-11-25T10:00:00.000Z',
    createdAt: '2026-11-25T09:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    version: 4,
    ...overrides,
  });

describe('delivery status only moves forward', () => {
  const order: DeliveryStatus[][] = [['FAILED', 'EXPIRED'], ['SENT'], ['DELIVERED'], ['READ']];
  const rank = (s: DeliveryStatus) => order.findIndex((group) => group.includes(s));
  const all: DeliveryStatus[] = ['SENT', 'DELIVERED', 'READ', 'FAILED', 'EXPIRED'];

  it.each(all.flatMap((from) => all.map((to) => [from, to] as const)))('%s → %s', (from, to) => {
    expect(advancesStatus(from, to)).toBe(rank(to) > rank(from));
  });

  const sent: OutboundLogEntry = {
    direction: 'outbound',
    key: 'bot-reply-1',
    kind: 'message',
    status: 'SENT',
    statusAt: '2026-11-25T10:00:01.000Z',
    at: '2026-11-25T10:00:01.000Z',
    recordedAt: '2026-11-25T10:00:01.000Z',
    representativeType: 'BOT',
    text: 'We open at 9.',
    causedBy: 'r:req-1',
  };

  it('a receipt before SENT creates the entry; SENT then fills in the details, keeping READ', () => {
    const read = mergeOutbound(
      undefined,
      { key: 'bot-reply-1', status: 'READ', at: '2026-11-25T10:00:05.000Z' },
      '2026-11-25T10:00:06.000Z',
    );
    expect(read).toEqual({
      direction: 'outbound',
      key: 'bot-reply-1',
      status: 'READ',
      statusAt: '2026-11-25T10:00:05.000Z',
      at: '2026-11-25T10:00:05.000Z',
      recordedAt: '2026-11-25T10:00:06.000Z',
    });
    const withSent = mergeOutbound(
      read,
      {
        key: 'bot-reply-1',
        status: 'SENT',
        at: '2026-11-25T10:00:01.000Z',
        kind: 'message',
        representativeType: 'BOT',
        text: 'We open at 9.',
        causedBy: 'r:req-1',
      },
      '2026-11-25T10:00:07.000Z',
    );
    expect(withSent).toEqual({
      direction: 'outbound',
      key: 'bot-reply-1',
      kind: 'message',
      status: 'READ',
      statusAt: '2026-11-25T10:00:05.000Z',
      // The send's own time is the earliest known: the log orders by it.
      at: '2026-11-25T10:00:01.000Z',
      recordedAt: '2026-11-25T10:00:06.000Z',
      representativeType: 'BOT',
      text: 'We open at 9.',
      causedBy: 'r:req-1',
    });
  });

  it('a lower or equal status changes nothing', () => {
    const read = { ...sent, status: 'READ' as const };
    expect(
      mergeOutbound(
        read,
        { key: sent.key, status: 'DELIVERED', at: NOW.toISOString() },
        NOW.toISOString(),
      ),
    ).toBeUndefined();
    expect(
      mergeOutbound(
        sent,
        { key: sent.key, status: 'SENT', at: sent.at, text: 'other' },
        NOW.toISOString(),
      ),
    ).toBeUndefined();
    expect(
      mergeOutbound(
        sent,
        { key: sent.key, status: 'FAILED', at: NOW.toISOString(), reason: 'x' },
        NOW.toISOString(),
      ),
    ).toBeUndefined();
  });

  it('SENT after FAILED moves forward and drops the failure reason', () => {
    const failed: OutboundLogEntry = { ...sent, status: 'FAILED', reason: 'UNAVAILABLE' };
    const retried = mergeOutbound(
      failed,
      { key: sent.key, status: 'SENT', at: '2026-11-25T10:01:00.000Z' },
      NOW.toISOString(),
    );
    expect(retried).toEqual({ ...sent, statusAt: '2026-11-25T10:01:00.000Z' });
    expect(retried).not.toHaveProperty('reason');
  });
});

describe('bot outcomes are counted once per inbound event', () => {
  it('a miss adds one, a match resets, a redelivered outcome changes nothing', () => {
    let c = conversation();
    const first = applyBotOutcome(c, 'r:1', false, NOW);
    expect(first.status).toBe('recorded');
    c = first.conversation;
    expect(c).toMatchObject({ botMisses: 1, version: 5, updatedAt: NOW.toISOString() });
    expect(applyBotOutcome(c, 'r:1', false, NOW)).toEqual({ status: 'duplicate', conversation: c });
    c = applyBotOutcome(c, 'r:2', false, NOW).conversation;
    expect(c.botMisses).toBe(2);
    c = applyBotOutcome(c, 'r:3', true, NOW).conversation;
    expect(c.botMisses).toBe(0);
  });

  it('is ignored once the bot no longer has the conversation', () => {
    const queued = conversation({ state: 'queued' });
    expect(applyBotOutcome(queued, 'r:1', false, NOW)).toEqual({
      status: 'ignored',
      conversation: queued,
    });
  });

  it(`remembers the last ${RECENT_BOT_OUTCOMES} outcomes`, () => {
    let c = conversation();
    for (let i = 0; i < RECENT_BOT_OUTCOMES + 5; i++) {
      c = applyBotOutcome(c, `r:${i}`, true, NOW).conversation;
    }
    expect(c.recentBotOutcomes).toHaveLength(RECENT_BOT_OUTCOMES);
    expect(c.recentBotOutcomes.at(-1)?.key).toBe(`r:${RECENT_BOT_OUTCOMES + 4}`);
    expect(applyBotOutcome(c, `r:${RECENT_BOT_OUTCOMES + 4}`, false, NOW).status).toBe('duplicate');
  });
});

describe('finishUpdate: the store stamps what callers must not', () => {
  it('keeps identity, bumps the version, stamps stateChangedAt only on a state change', () => {
    const current = conversation({ state: 'queued' });
    const claimed = finishUpdate(
      current,
      {
        ...current,
        id: 'other',
        state: 'with_agent',
        assignee: { agentId: 'a', displayName: 'A' },
        version: 99,
      },
      'c-1',
      NOW,
    );
    expect(claimed).toMatchObject({
      id: 'c-1',
      state: 'with_agent',
      version: 5,
      updatedAt: NOW.toISOString(),
      stateChangedAt: NOW.toISOString(),
      createdAt: current.createdAt,
    });
    const renamed = finishUpdate(
      claimed,
      { ...claimed, assignee: { agentId: 'a', displayName: 'Ann' } },
      'c-1',
      new Date('2026-11-25T13:00:00.000Z'),
    );
    expect(renamed.stateChangedAt).toBe(NOW.toISOString());
    expect(renamed.version).toBe(6);
  });
});

describe('helpers', () => {
  it('checkListQuery: nothing to match, or too many disjunctions for Firestore', () => {
    expect(checkListQuery({ brandIds: [], states: ['queued'], limit: 10 })).toBe(false);
    expect(checkListQuery({ brandIds: ['b'], states: [], limit: 10 })).toBe(false);
    expect(checkListQuery({ brandIds: ['b'], states: ['queued'], limit: 10 })).toBe(true);
    const brands = Array.from({ length: 8 }, (_, i) => `b${i}`);
    expect(() =>
      checkListQuery({
        brandIds: brands,
        states: ['bot', 'queued', 'with_agent', 'closed'],
        limit: 1,
      }),
    ).toThrow(RangeError);
    expect(() => checkListQuery({ brandIds: ['b'], states: ['bot'], limit: 0 })).toThrow(
      RangeError,
    );
  });

  it('canonicalSnapshot fixes the key order, whatever order a store hands back', () => {
    const c = conversation({
      assignee: { agentId: 'a', displayName: 'A', avatarUrl: 'https://x/a.png' },
    });
    const s = snapshotOf(c);
    const shuffled = {
      lastUserMessageAt: s.lastUserMessageAt,
      assignee: { avatarUrl: 'https://x/a.png', displayName: 'A', agentId: 'a' },
      botMisses: s.botMisses,
      origin: s.origin,
      locale: s.locale,
      agent: s.agent,
      brandId: s.brandId,
      state: s.state,
    };
    expect(JSON.stringify(canonicalSnapshot(shuffled))).toBe(JSON.stringify(s));
    expect(Object.keys(snapshotOf(c))).toEqual([
      'state',
      'brandId',
      'agent',
      'locale',
      'origin',
      'botMisses',
      'assignee',
      'lastUserMessageAt',
    ]);
  });

  it('isoTime normalises RFC 3339 to toISOString form', () => {
    expect(isoTime('2026-11-25T10:15:30.123456Z')).toBe('2026-11-25T10:15:30.123Z');
    expect(isoTime('2026-11-25T11:15:30+01:00')).toBe('2026-11-25T10:15:30.000Z');
    expect(isoTime(undefined)).toBeUndefined();
    expect(isoTime('SEND_TIME')).toBeUndefined();
  });

  it('expiryAfter adds whole days', () => {
    expect(expiryAfter('2026-11-25T12:00:00.000Z', 30).toISOString()).toBe(
      '2026-12-25T12:00:00.000Z',
    );
  });
});
