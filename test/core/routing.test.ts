import type { Conversation, ConversationState } from '../../functions/core/conversation';
import type { InboundEvent } from '../../functions/core/inbound-event';
import { asksForHuman, route } from '../../functions/core/routing';
import { eventOf } from '../support/inbound-events';
import { aConversation } from '../support/conversations';

const settings = { missThreshold: 2 };

const conversation = (state: ConversationState, botMisses = 0): Conversation =>
  aConversation({
    state,
    assignee: state === 'with_agent' ? { agentId: 'agent-7', displayName: 'Sam' } : null,
    locale: 'en',
    botMisses,
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    version: 1,
  });

const text = (words: string) => eventOf('text', { patch: { message: { text: words } } });
const chip = (label: string | undefined, postbackData: string) =>
  eventOf('suggestion', { patch: { suggestionResponse: { text: label, postbackData } } });

describe('route: the routing table', () => {
  const events: Record<string, InboundEvent> = {
    text: text('Are you open on Sunday?'),
    image: eventOf('image'),
    receipts: eventOf('readReceipts'),
    typing: eventOf('typing'),
    liveAgentRequest: eventOf('liveAgentRequest'),
    suggestion: chip('Opening hours', 'intent:hours'),
    survey: eventOf('survey'),
    authentication: eventOf('authentication'),
    unknown: eventOf('unknownKind'),
  };

  // [state, kind, route, reason]; `-` for "no conversation yet".
  const table: [ConversationState | '-', keyof typeof events, string | null, string][] = [
    ['-', 'text', 'automation', 'default'],
    ['-', 'image', 'automation', 'default'],
    ['-', 'receipts', null, 'receipts'],
    ['-', 'typing', null, 'no-human-engaged'],
    ['-', 'liveAgentRequest', 'live-agent', 'live-agent-requested'],
    ['-', 'suggestion', 'automation', 'default'],
    ['-', 'survey', null, 'survey-answer'],
    ['-', 'authentication', 'automation', 'authentication'],
    ['-', 'unknown', null, 'unknown-kind'],

    ['bot', 'text', 'automation', 'default'],
    ['bot', 'image', 'automation', 'default'],
    ['bot', 'receipts', null, 'receipts'],
    ['bot', 'typing', null, 'no-human-engaged'],
    ['bot', 'liveAgentRequest', 'live-agent', 'live-agent-requested'],
    ['bot', 'suggestion', 'automation', 'default'],
    ['bot', 'survey', null, 'survey-answer'],
    ['bot', 'authentication', 'automation', 'authentication'],
    ['bot', 'unknown', null, 'unknown-kind'],

    ['queued', 'text', 'live-agent', 'queued'],
    ['queued', 'image', 'live-agent', 'queued'],
    ['queued', 'receipts', null, 'receipts'],
    ['queued', 'typing', null, 'no-human-engaged'],
    ['queued', 'liveAgentRequest', 'live-agent', 'queued'],
    ['queued', 'suggestion', 'live-agent', 'queued'],
    ['queued', 'survey', null, 'survey-answer'],
    ['queued', 'authentication', 'automation', 'authentication'],
    ['queued', 'unknown', null, 'unknown-kind'],

    ['with_agent', 'text', 'live-agent', 'human-engaged'],
    ['with_agent', 'image', 'live-agent', 'human-engaged'],
    ['with_agent', 'receipts', null, 'receipts'],
    ['with_agent', 'typing', 'live-agent', 'human-engaged'],
    ['with_agent', 'liveAgentRequest', 'live-agent', 'human-engaged'],
    ['with_agent', 'suggestion', 'live-agent', 'human-engaged'],
    ['with_agent', 'survey', null, 'survey-answer'],
    ['with_agent', 'authentication', 'automation', 'authentication'],
    ['with_agent', 'unknown', null, 'unknown-kind'],

    // `closed` as routing sees it: the state machine reopens it first for a new message.
    ['closed', 'text', null, 'closed'],
    ['closed', 'receipts', null, 'receipts'],
    ['closed', 'typing', null, 'no-human-engaged'],
    ['closed', 'survey', null, 'survey-answer'],
    ['closed', 'authentication', 'automation', 'authentication'],
    ['closed', 'unknown', null, 'unknown-kind'],
  ];

  it.each(table)('%s + %s → %s (%s)', (state, kind, expectedRoute, reason) => {
    const current = state === '-' ? null : conversation(state);
    expect(route(current, events[kind]!, settings)).toEqual({ route: expectedRoute, reason });
  });

  it('hands the conversation to a human after missThreshold misses in a row', () => {
    const hello = text('Do you sell gift cards?');
    expect(route(conversation('bot', 1), hello, settings)).toEqual({
      route: 'automation',
      reason: 'default',
    });
    expect(route(conversation('bot', 2), hello, settings)).toEqual({
      route: 'live-agent',
      reason: 'bot-missed-2',
    });
    expect(route(conversation('bot', 3), hello, { missThreshold: 3 })).toEqual({
      route: 'live-agent',
      reason: 'bot-missed-3',
    });
    expect(route(conversation('bot', 2), eventOf('image'), settings).reason).toBe('bot-missed-2');
  });

  it('asking for a human wins over the miss count', () => {
    expect(route(conversation('bot', 5), text('agent please'), settings).reason).toBe(
      'asked-for-human',
    );
  });

  it('a chip is routed by its visible text; its postback data is not special', () => {
    expect(route(conversation('bot'), chip('Talk to a person', 'x'), settings)).toEqual({
      route: 'live-agent',
      reason: 'asked-for-human',
    });
    for (const postback of ['live-agent', 'liveAgentRequest', 'LIVE_AGENT']) {
      expect(route(conversation('bot'), chip('Menu', postback), settings)).toEqual({
        route: 'automation',
        reason: 'default',
      });
    }
    expect(route(conversation('bot'), chip(undefined, 'agent'), settings).route).toBe('automation');
  });

  it('a stale event (older than the last claim/release/close) never moves the state', () => {
    // The bot answers a message written just before an agent released: no one else will.
    expect(route(conversation('bot'), text('agent!'), settings, true)).toEqual({
      route: 'automation',
      reason: 'stale',
    });
    expect(route(conversation('bot'), eventOf('liveAgentRequest'), settings, true)).toEqual({
      route: null,
      reason: 'stale',
    });
    expect(route(conversation('closed'), eventOf('liveAgentRequest'), settings, true)).toEqual({
      route: null,
      reason: 'stale',
    });
    // A human still sees what the customer wrote while they were engaged.
    expect(route(conversation('with_agent'), text('hi'), settings, true)).toEqual({
      route: 'live-agent',
      reason: 'human-engaged',
    });
  });
});

describe('asksForHuman: English and French, case- and accent-insensitive, whole words', () => {
  it.each([
    'Can I talk to an agent?',
    'AGENT',
    'agent please',
    'I want a human',
    'are you a human?',
    'Get me a representative',
    'customer service please',
    'I need a real person',
    'can I speak to someone',
    'let me chat with somebody',
    'I need someone to help me',
    'could someone call me back',
    'is there an actual person there',
    'operator',
    'je veux parler à un conseiller',
    'Conseillère svp',
    'un humain svp',
    'HUMAIN',
    'je voudrais une personne',
    'une vraie personne svp',
    'un agent, vite',
    "parler à quelqu'un",
    'Parler a quelqu’un svp',
    'PARLER À QUELQU’UN',
    'est-ce que je peux parler au responsable',
    'le service client',
    "quelqu'un de l'équipe peut m'aider ?",
  ])('asks for a human: %s', (words) => {
    expect(asksForHuman(words)).toBe(true);
  });

  it.each([
    'Is the agenda for Sunday ready?',
    'What is on the agenda',
    'Which agency handles bookings?',
    'Hello, are you open on Sunday?',
    'I bought it for someone else',
    'Can I pay in person?',
    'A table for one person please',
    'une table pour une personne',
    'réservation pour une personne à 20h',
    "le prix d'une personne",
    'humanity and humanitarian work',
    'the reagent',
    'le personnel est sympa',
    'Horaires du dimanche ?',
    '',
  ])('does not: %s', (words) => {
    expect(asksForHuman(words)).toBe(false);
  });
});

describe('route: languages other than English and French', () => {
  it.each([
    '営業時間は何時ですか',
    'お店は何時に開きますか',
    'ร้านเปิดกี่โมง',
    'ร้านอยู่ที่ไหนครับ',
    '你们几点开门',
  ])('%s goes to the bot, not to a human', (words) => {
    expect(asksForHuman(words)).toBe(false);
    expect(route(conversation('bot'), text(words), settings)).toEqual({
      route: 'automation',
      reason: 'default',
    });
  });

  it.each([
    'I want to talk to a human',
    'Je veux parler à un conseiller',
    'Je veux parler a\u0300 un conseille\u0300re', // accents typed as combining marks
    'ＡＧＥＮＴ', // full width
    'agentと話したい',
  ])('asking for a human in English or French still goes to one: %s', (words) => {
    expect(route(conversation('bot'), text(words), settings)).toEqual({
      route: 'live-agent',
      reason: 'asked-for-human',
    });
  });
});
