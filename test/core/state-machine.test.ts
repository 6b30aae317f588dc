import type { Conversation, ConversationState } from '../../functions/core/conversation';
import type { InboundEvent } from '../../functions/core/inbound-event';
import {
  receiptTargets,
  receiptWrites,
  transition,
  type Effect,
} from '../../functions/core/state-machine';
import { eventOf, inboundEvent, webhookBody } from '../support/inbound-events';
import { aConversation } from '../support/conversations';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const settings = { missThreshold: 2 };

const base = (overrides: Partial<Conversation> = {}): Conversation =>
  aConversation({
    id: '2b8a3d54-6c1e-4f7a-9f4e-0c2d1a7b9e11',
    lastUserMessageAt: '2026-11-25T09:00:00.000Z',
    createdAt: '2026-11-25T09:00:00.000Z',
    updatedAt: '2026-11-25T09:00:00.000Z',
    version: 3,
    ...overrides,
  });

const inState = (state: ConversationState): Conversation =>
  base({
    state,
    assignee: state === 'with_agent' ? { agentId: 'agent-7', displayName: 'Sam' } : null,
  });

/** Deep-frozen, so a test fails if the state machine mutates its input. */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach(frozen);
    Object.freeze(value);
  }
  return value;
}

const types = (effects: Effect[]) => effects.map((e) => e.type).sort();

describe('transition: every state × every event kind', () => {
  const events: Record<string, InboundEvent> = {
    text: eventOf('text'),
    image: eventOf('image'),
    receipts: eventOf('readReceipts'),
    typing: eventOf('typing'),
    typingStopped: eventOf('typing', {
      patch: { userStatus: { isTyping: false, createTime: '2026-11-25T10:17:59Z' } },
    }),
    liveAgentRequest: eventOf('liveAgentRequest'),
    suggestion: eventOf('suggestion'),
    survey: eventOf('survey'),
    authentication: eventOf('authentication'),
    unknown: eventOf('unknownKind'),
  };
  type Kind = keyof typeof events;
  type From = ConversationState | 'none';
  type To = ConversationState | 'none';

  // [from, event, to, route, reason, conversation written]
  const table: [From, Kind, To, string | null, string, boolean][] = [
    ['none', 'text', 'bot', 'automation', 'default', true],
    ['none', 'image', 'bot', 'automation', 'default', true],
    ['none', 'receipts', 'none', null, 'receipts', false],
    ['none', 'typing', 'none', null, 'no-human-engaged', false],
    ['none', 'typingStopped', 'none', null, 'no-human-engaged', false],
    ['none', 'liveAgentRequest', 'queued', 'live-agent', 'live-agent-requested', true],
    ['none', 'suggestion', 'bot', 'automation', 'default', true],
    ['none', 'survey', 'bot', null, 'survey-answer', true],
    ['none', 'authentication', 'bot', 'automation', 'authentication', true],
    ['none', 'unknown', 'bot', null, 'unknown-kind', true],

    ['bot', 'text', 'bot', 'automation', 'default', true],
    ['bot', 'image', 'bot', 'automation', 'default', true],
    ['bot', 'receipts', 'bot', null, 'receipts', false],
    ['bot', 'typing', 'bot', null, 'no-human-engaged', false],
    ['bot', 'typingStopped', 'bot', null, 'no-human-engaged', false],
    ['bot', 'liveAgentRequest', 'queued', 'live-agent', 'live-agent-requested', true],
    ['bot', 'suggestion', 'bot', 'automation', 'default', true],
    ['bot', 'survey', 'bot', null, 'survey-answer', true],
    ['bot', 'authentication', 'bot', 'automation', 'authentication', false],
    ['bot', 'unknown', 'bot', null, 'unknown-kind', false],

    ['queued', 'text', 'queued', 'live-agent', 'queued', true],
    ['queued', 'image', 'queued', 'live-agent', 'queued', true],
    ['queued', 'receipts', 'queued', null, 'receipts', false],
    ['queued', 'typing', 'queued', null, 'no-human-engaged', false],
    ['queued', 'typingStopped', 'queued', null, 'no-human-engaged', false],
    ['queued', 'liveAgentRequest', 'queued', 'live-agent', 'queued', true],
    ['queued', 'suggestion', 'queued', 'live-agent', 'queued', true],
    ['queued', 'survey', 'queued', null, 'survey-answer', true],
    ['queued', 'authentication', 'queued', 'automation', 'authentication', false],
    ['queued', 'unknown', 'queued', null, 'unknown-kind', false],

    ['with_agent', 'text', 'with_agent', 'live-agent', 'human-engaged', true],
    ['with_agent', 'image', 'with_agent', 'live-agent', 'human-engaged', true],
    ['with_agent', 'receipts', 'with_agent', null, 'receipts', false],
    ['with_agent', 'typing', 'with_agent', 'live-agent', 'human-engaged', false],
    ['with_agent', 'typingStopped', 'with_agent', 'live-agent', 'human-engaged', false],
    ['with_agent', 'liveAgentRequest', 'with_agent', 'live-agent', 'human-engaged', true],
    ['with_agent', 'suggestion', 'with_agent', 'live-agent', 'human-engaged', true],
    ['with_agent', 'survey', 'with_agent', null, 'survey-answer', true],
    ['with_agent', 'authentication', 'with_agent', 'automation', 'authentication', false],
    ['with_agent', 'unknown', 'with_agent', null, 'unknown-kind', false],

    ['closed', 'text', 'bot', 'automation', 'default', true],
    ['closed', 'image', 'bot', 'automation', 'default', true],
    ['closed', 'receipts', 'closed', null, 'receipts', false],
    ['closed', 'typing', 'closed', null, 'no-human-engaged', false],
    ['closed', 'typingStopped', 'closed', null, 'no-human-engaged', false],
    ['closed', 'liveAgentRequest', 'queued', 'live-agent', 'live-agent-requested', true],
    ['closed', 'suggestion', 'bot', 'automation', 'default', true],
    ['closed', 'survey', 'closed', null, 'survey-answer', true],
    ['closed', 'authentication', 'closed', 'automation', 'authentication', false],
    ['closed', 'unknown', 'closed', null, 'unknown-kind', false],
  ];

  it.each(table)('%s + %s → %s, %s (%s)', (from, kind, to, expectedRoute, reason, written) => {
    const event = events[kind]!;
    const current = from === 'none' ? null : frozen(inState(from));
    const result = transition(current, event, NOW, settings);

    expect(result.conversation?.state ?? 'none').toBe(to);
    expect(result.changed).toBe(written);
    expect(result.routing.decision).toEqual({ route: expectedRoute, reason });
    if (!written) expect(result.conversation).toBe(current);
    if (written) expect(result.conversation?.version).toBe((current?.version ?? 0) + 1);
    // Entering the queue stamps when, for the queue notice and the queue-wait metric.
    const entersQueue = to === 'queued' && from !== 'queued';
    expect(result.conversation?.queuedAt ?? null).toBe(entersQueue ? NOW.toISOString() : null);

    const logs = kind !== 'receipts' && kind !== 'typing' && kind !== 'typingStopped';
    const expected = [
      logs ? 'log-inbound' : 'mark-processed',
      expectedRoute === null ? 'ignore' : 'route',
      ...((current?.state ?? 'none') !== to ? ['state-change'] : []),
      ...(kind === 'survey' ? ['store-survey'] : []),
      ...(kind === 'receipts' ? ['update-receipts'] : []),
    ].sort();
    expect(types(result.effects)).toEqual(expected);
    const routeEffect = result.effects.find((e) => e.type === 'route' || e.type === 'ignore');
    expect(routeEffect).toEqual(
      expectedRoute === null
        ? { type: 'ignore', reason }
        : { type: 'route', to: expectedRoute, reason },
    );
    // The marker records the decision and the conversation as routed events carry it.
    expect(result.routing.routedAt).toBe(NOW.toISOString());
    expect(result.routing.conversation?.state ?? 'none').toBe(to);
  });
});

describe('transition: a new conversation', () => {
  it('takes brand, agent, origin, locale and the message time from the first message', () => {
    const { conversation, effects } = transition(null, eventOf('text'), NOW, settings);
    expect(conversation).toEqual({
      id: '2b8a3d54-6c1e-4f7a-9f4e-0c2d1a7b9e11',
      brandId: 'velo-cafe',
      agentId: 'velo-cafe-agent',
      agent: 'brands/velo-cafe/agents/velo-cafe-agent',
      state: 'bot',
      assignee: null,
      locale: 'en',
      origin: {
        entryPoint: 'PLACESHEET',
        placeId: 'ChIJN1t_tDeuEmsRUsoyG83frY4',
        resolvedLocale: 'en',
        userDeviceLocale: 'en-GB',
      },
      contextAt: '2026-11-25T10:15:30.123Z',
      lastUserMessageAt: '2026-11-25T10:15:30.123Z',
      botMisses: 0,
      recentBotOutcomes: [],
      surveyAnswers: [],
      stateChangedAt: null,
      queuedAt: null,
      handoffReason: null,
      customerName: 'Jane Doe',
      lastMessage: {
        kind: 'text',
        text: 'Hello, are you open on Sunday?',
        at: '2026-11-25T10:15:30.123Z',
      },
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      version: 1,
    });
    expect(effects).toContainEqual({ type: 'state-change', from: null, to: 'bot' });
  });

  it('logs the message with its text for agents, keyed by the dedupe key', () => {
    const event = eventOf('text');
    const { effects, routing } = transition(null, event, NOW, settings);
    expect(effects).toContainEqual({
      type: 'log-inbound',
      entry: {
        direction: 'inbound',
        key: event.dedupeKey,
        kind: 'text',
        dedupeKey: event.dedupeKey,
        messageId: 'a1b2c3d4-0001',
        at: '2026-11-25T10:15:30.123Z',
        recordedAt: NOW.toISOString(),
        text: 'Hello, are you open on Sunday?',
        routing,
      },
    });
  });

  it.each([
    [
      'image',
      { imageUrl: expect.stringMatching(/^https:\/\/storage/), messageId: 'a1b2c3d4-0002' },
    ],
    ['suggestion', { text: 'Opening hours', postbackData: 'intent:hours' }],
  ] as const)('logs the content of a %s', (name, content) => {
    const { effects } = transition(null, eventOf(name), NOW, settings);
    const entry = effects.find((e) => e.type === 'log-inbound');
    expect(entry).toMatchObject({ entry: content });
  });

  it('never keeps an authentication code', () => {
    const { effects, conversation } = transition(null, eventOf('authentication'), NOW, settings);
    expect(JSON.stringify({ effects, conversation })).not.toContain('4/0AX4XfWh');
  });

  it('locale: resolvedLocale, else the device locale', () => {
    const device = inboundEvent({
      ...webhookBody('text'),
      context: { userInfo: { userDeviceLocale: 'fr-CA' }, entryPoint: 'MAPS' },
    });
    expect(transition(null, device, NOW, settings).conversation?.locale).toBe('fr-CA');
  });
});

describe('transition: out of order, an older event never undoes a newer one', () => {
  /** A text at `time`, with exactly `context` (the fixture's when not given). */
  const at = (time: string, text = 'hello', context?: Record<string, unknown>) => {
    const body = webhookBody('text', {
      requestId: `req-${time}`,
      patch: { message: { messageId: `m-${time}`, text, createTime: time } },
    });
    if (context) body.context = context;
    return inboundEvent(body);
  };

  it('lastUserMessageAt only moves forward', () => {
    const current = base({ lastUserMessageAt: '2026-11-25T11:00:00.000Z' });
    const older = transition(current, at('2026-11-25T10:00:00Z'), NOW, settings);
    expect(older.conversation?.lastUserMessageAt).toBe('2026-11-25T11:00:00.000Z');
    const newer = transition(current, at('2026-11-25T11:30:00+01:00'), NOW, settings);
    expect(newer.conversation?.lastUserMessageAt).toBe('2026-11-25T11:00:00.000Z');
    const later = transition(current, at('2026-11-25T11:00:00.5Z'), NOW, settings);
    expect(later.conversation?.lastUserMessageAt).toBe('2026-11-25T11:00:00.500Z');
  });

  it('an older message that changes nothing writes no conversation', () => {
    const current = frozen(
      base({
        lastUserMessageAt: '2026-11-25T11:00:00.000Z',
        lastMessage: { kind: 'text', text: 'newer', at: '2026-11-25T11:00:00.000Z' },
      }),
    );
    const older = transition(current, at('2026-11-25T10:00:00Z', 'hello', {}), NOW, settings);
    expect(older.changed).toBe(false);
    expect(older.conversation).toBe(current);
    expect(types(older.effects)).toEqual(['log-inbound', 'route']);
  });

  it('two messages applied in either order leave the same conversation', () => {
    const first = at('2026-11-25T10:00:00Z', 'hi', {
      entryPoint: 'MAPS',
      placeId: 'place-1',
      resolvedLocale: 'en',
    });
    const second = at('2026-11-25T10:05:00Z', 'bonjour', {
      entryPoint: 'PLACESHEET',
      placeId: 'place-2',
      resolvedLocale: 'fr',
    });
    const inOrder = transition(
      transition(null, first, NOW, settings).conversation,
      second,
      NOW,
      settings,
    );
    const swapped = transition(
      transition(null, second, NOW, settings).conversation,
      first,
      NOW,
      settings,
    );
    const view = (c: Conversation | null) => ({
      lastUserMessageAt: c?.lastUserMessageAt,
      origin: c?.origin,
      locale: c?.locale,
      state: c?.state,
    });
    expect(view(swapped.conversation)).toEqual(view(inOrder.conversation));
    expect(view(inOrder.conversation)).toEqual({
      lastUserMessageAt: '2026-11-25T10:05:00.000Z',
      origin: { entryPoint: 'PLACESHEET', placeId: 'place-2', resolvedLocale: 'fr' },
      locale: 'fr',
      state: 'bot',
    });
  });

  it('origin: kept from the first event with one; replaced only by a newer one with a place', () => {
    const current = base({
      origin: { entryPoint: 'MAPS', placeId: 'place-1' },
      contextAt: '2026-11-25T10:00:00.000Z',
      locale: 'en',
    });
    const localeOnly = transition(
      current,
      at('2026-11-25T10:30:00Z', 'x', { resolvedLocale: 'de' }),
      NOW,
      settings,
    ).conversation;
    expect(localeOnly?.origin).toEqual({ entryPoint: 'MAPS', placeId: 'place-1' });
    expect(localeOnly?.locale).toBe('de');

    const newerPlace = transition(
      current,
      at('2026-11-25T10:30:00Z', 'x', { entryPoint: 'PLACESHEET', placeId: 'place-2' }),
      NOW,
      settings,
    ).conversation;
    expect(newerPlace?.origin).toEqual({ entryPoint: 'PLACESHEET', placeId: 'place-2' });
    expect(newerPlace?.locale).toBe('en');

    const olderPlace = transition(
      current,
      at('2026-11-25T09:00:00Z', 'x', { entryPoint: 'URL', placeId: 'old', resolvedLocale: 'it' }),
      NOW,
      settings,
    ).conversation;
    expect(olderPlace?.origin).toEqual({ entryPoint: 'MAPS', placeId: 'place-1' });
    expect(olderPlace?.locale).toBe('en');
  });

  it('an event without context keeps origin and locale', () => {
    const current = base({ origin: { entryPoint: 'MAPS' }, locale: 'fr', contextAt: null });
    const { conversation } = transition(current, eventOf('survey'), NOW, settings);
    expect(conversation?.origin).toEqual({ entryPoint: 'MAPS' });
    expect(conversation?.locale).toBe('fr');
  });

  it('an event older than the last close does not reopen; a newer one does', () => {
    const closed = base({
      state: 'closed',
      stateChangedAt: '2026-11-25T10:10:00.000Z',
      assignee: { agentId: 'agent-7', displayName: 'Sam' },
      botMisses: 1,
    });
    const stale = transition(closed, at('2026-11-25T10:05:00Z'), NOW, settings);
    expect(stale.conversation?.state).toBe('closed');
    expect(stale.routing.decision).toEqual({ route: null, reason: 'stale' });
    // Still on the log, and still the customer's latest word for the send window.
    expect(types(stale.effects)).toEqual(['ignore', 'log-inbound']);
    expect(stale.conversation?.lastUserMessageAt).toBe('2026-11-25T10:05:00.000Z');

    const fresh = transition(closed, at('2026-11-25T10:15:00Z'), NOW, settings);
    expect(fresh.conversation).toMatchObject({ state: 'bot', assignee: null, botMisses: 0 });
    expect(fresh.routing.decision).toEqual({ route: 'automation', reason: 'default' });
    expect(fresh.effects).toContainEqual({ type: 'state-change', from: 'closed', to: 'bot' });
  });

  it('a request for a human made before an agent released the conversation does not re-queue it', () => {
    const released = base({ state: 'bot', stateChangedAt: '2026-11-25T11:00:00.000Z' });
    const stale = transition(released, eventOf('liveAgentRequest'), NOW, settings);
    expect(stale.conversation?.state).toBe('bot');
    expect(stale.routing.decision.reason).toBe('stale');
  });

  it('a message written just before an agent released the conversation is answered by the bot', () => {
    const released = base({ state: 'bot', stateChangedAt: '2026-11-25T11:00:00.000Z' });
    const late = transition(released, eventOf('text'), NOW, settings);
    expect(late.conversation?.state).toBe('bot');
    expect(late.routing.decision).toEqual({ route: 'automation', reason: 'stale' });
  });

  it('a survey answer replaces an older answer to the same question, never a newer one', () => {
    const answer = (time: string, rating: string, questionId = 'q1') =>
      eventOf('survey', {
        requestId: `s-${time}-${questionId}`,
        patch: { surveyResponse: { createTime: time, rating, surveyQuestionId: questionId } },
      });
    let c = transition(
      null,
      answer('2026-11-25T11:00:00Z', 'VERY_SATISFIED'),
      NOW,
      settings,
    ).conversation;
    c = transition(
      c,
      answer('2026-11-25T10:00:00Z', 'VERY_DISSATISFIED'),
      NOW,
      settings,
    ).conversation;
    expect(c?.surveyAnswers.map((a) => a.rating)).toEqual(['VERY_SATISFIED']);
    c = transition(
      c,
      answer('2026-11-25T11:05:00Z', 'SOMEWHAT_SATISFIED'),
      NOW,
      settings,
    ).conversation;
    c = transition(
      c,
      answer('2026-11-25T11:06:00Z', 'VERY_SATISFIED', 'q2'),
      NOW,
      settings,
    ).conversation;
    expect(c?.surveyAnswers).toEqual([
      expect.objectContaining({ questionId: 'q1', rating: 'SOMEWHAT_SATISFIED' }),
      expect.objectContaining({ questionId: 'q2', rating: 'VERY_SATISFIED' }),
    ]);
  });
});

describe('transition: hand-over and reopening', () => {
  it('the bot missing missThreshold times queues the conversation and restarts the count', () => {
    const { conversation, routing, effects } = transition(
      base({ botMisses: 2 }),
      eventOf('text'),
      NOW,
      settings,
    );
    expect(routing.decision).toEqual({ route: 'live-agent', reason: 'bot-missed-2' });
    expect(conversation).toMatchObject({ state: 'queued', botMisses: 0 });
    expect(routing.conversation).toMatchObject({ state: 'queued', botMisses: 0 });
    expect(effects).toContainEqual({ type: 'state-change', from: 'bot', to: 'queued' });
  });

  it('uses the brand threshold', () => {
    const c = base({ botMisses: 2 });
    expect(transition(c, eventOf('text'), NOW, { missThreshold: 3 }).conversation?.state).toBe(
      'bot',
    );
    expect(transition(c, eventOf('text'), NOW, { missThreshold: 1 }).routing.decision.reason).toBe(
      'bot-missed-2',
    );
  });

  it('asking for a human in words queues the conversation', () => {
    const event = eventOf('text', {
      patch: { message: { text: 'Je veux parler à un conseiller' } },
    });
    const { conversation, routing } = transition(base(), event, NOW, settings);
    expect(conversation?.state).toBe('queued');
    expect(routing.decision).toEqual({ route: 'live-agent', reason: 'asked-for-human' });
  });

  it('reopening forgets the previous human and misses', () => {
    const closed = base({
      state: 'closed',
      assignee: { agentId: 'agent-7', displayName: 'Sam' },
      botMisses: 4,
    });
    const { conversation } = transition(closed, eventOf('image'), NOW, settings);
    expect(conversation).toMatchObject({ state: 'bot', assignee: null, botMisses: 0 });
  });
});

describe('transition: receipts', () => {
  it('names our messages with their new status, at the receipt time; unspecified ones are skipped', () => {
    const event = eventOf('readReceipts', {
      patch: {
        receipts: {
          receipts: [
            { message: 'conversations/c/messages/bot-reply-1', receiptType: 'READ' },
            {
              message: 'conversations/c/messages/bot-reply-9',
              receiptType: 'RECEIPT_TYPE_UNSPECIFIED',
            },
            { message: 'conversations/c/messages/bot-reply-2', receiptType: 'DELIVERED' },
          ],
          createTime: '2026-11-25T10:16:59.5Z',
        },
      },
    });
    const result = transition(base(), event, NOW, settings);
    expect(result.effects).toContainEqual({
      type: 'update-receipts',
      receipts: [
        { messageId: 'bot-reply-1', status: 'READ' },
        { messageId: 'bot-reply-2', status: 'DELIVERED' },
      ],
      at: '2026-11-25T10:16:59.500Z',
    });
    expect(receiptTargets(result)).toEqual(['bot-reply-1', 'bot-reply-2']);
    expect(result.effects).toContainEqual({
      type: 'mark-processed',
      marker: {
        key: event.dedupeKey,
        kind: 'receipts',
        recordedAt: NOW.toISOString(),
        routing: result.routing,
      },
    });
  });

  it('merges into what the store holds: created when unknown, never lowered', () => {
    const result = transition(base(), eventOf('deliveredReceipt'), NOW, settings);
    const written = receiptWrites(result, new Map());
    expect(written).toEqual([
      {
        direction: 'outbound',
        key: 'bot-reply-1',
        status: 'DELIVERED',
        statusAt: '2026-11-25T10:16:09.000Z',
        at: '2026-11-25T10:16:09.000Z',
        recordedAt: NOW.toISOString(),
      },
    ]);
    const read = { ...written[0]!, status: 'READ' as const };
    expect(receiptWrites(result, new Map([['bot-reply-1', read]]))).toEqual([]);
  });
});

describe('transition: what the agents’ inbox shows', () => {
  const says = (time: string, text: string, displayName?: string) => {
    const body = webhookBody('text', {
      requestId: `req-${time}`,
      patch: { message: { messageId: `m-${time}`, text, createTime: time } },
    });
    body.context = {
      ...(body.context as object),
      userInfo: displayName === undefined ? {} : { displayName },
    };
    return inboundEvent(body);
  };

  it('records why the conversation went to a human, with the routing reason', () => {
    const asked = transition(base(), says('2026-11-25T11:00:00Z', 'I want a human'), NOW, settings);
    expect(asked.conversation).toMatchObject({ state: 'queued', handoffReason: 'asked-for-human' });
    const missed = transition(
      base({ botMisses: 2 }),
      says('2026-11-25T11:00:00Z', 'blah'),
      NOW,
      settings,
    );
    expect(missed.conversation).toMatchObject({ state: 'queued', handoffReason: 'bot-missed-2' });
    const stays = transition(base(), says('2026-11-25T11:00:00Z', 'hello'), NOW, settings);
    expect(stays.conversation?.handoffReason).toBeNull();
  });

  it('keeps the customer’s newest name; an older event does not replace it', () => {
    const named = transition(base(), says('2026-11-25T11:00:00Z', 'hi', 'Jane'), NOW, settings);
    expect(named.conversation?.customerName).toBe('Jane');
    const renamed = transition(
      named.conversation,
      says('2026-11-25T11:05:00Z', 'hi', 'Jane D.'),
      NOW,
      settings,
    );
    expect(renamed.conversation?.customerName).toBe('Jane D.');
    const older = transition(
      renamed.conversation,
      says('2026-11-25T10:00:00Z', 'hi', 'Old name'),
      NOW,
      settings,
    );
    expect(older.conversation?.customerName).toBe('Jane D.');
    const unnamed = transition(
      renamed.conversation,
      says('2026-11-25T11:10:00Z', 'hi'),
      NOW,
      settings,
    );
    expect(unnamed.conversation?.customerName).toBe('Jane D.');
  });

  it('previews the newest message, cut to 140 characters; an older one does not replace it', () => {
    const long = `${'é'.repeat(200)}`;
    const first = transition(base(), says('2026-11-25T11:00:00Z', `  ${long}\n`), NOW, settings);
    const preview = first.conversation?.lastMessage;
    expect(preview?.kind).toBe('text');
    expect(Array.from(preview?.text ?? '')).toHaveLength(140);
    expect(preview?.text?.endsWith('…')).toBe(true);
    const older = transition(
      first.conversation,
      says('2026-11-25T10:00:00Z', 'old'),
      NOW,
      settings,
    );
    expect(older.conversation?.lastMessage).toEqual(preview);
    const image = transition(base(), eventOf('image'), NOW, settings);
    expect(image.conversation?.lastMessage?.kind).toBe('image');
  });
});
