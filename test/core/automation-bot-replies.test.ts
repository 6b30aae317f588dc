import type { BotReply, BrandConfig } from '../../functions/core/brand-config';
import { loadBrandConfig } from '../../functions/core/brand-config';
import type { BotConversation, BotTurn } from '../../functions/core/bot-replies';
import {
  BotReplyError,
  answersEvent,
  authFailureCategory,
  botQuery,
  decideBotReply,
  opensConversation,
} from '../../functions/core/bot-replies';
import type { MessageLogEntry } from '../../functions/core/conversation';
import { API_ID } from '../../functions/core/deterministic-ids';
import type { InboundEvent } from '../../functions/core/inbound-event';
import { parseInboundEvent } from '../../functions/core/inbound-event';
import { matchIntent } from '../../functions/core/keyword-matcher';
import type { OutboundCommand, SendMessageCommand } from '../../functions/core/outbound-command';
import { OutboundCommand as OutboundCommandSchema } from '../../functions/core/outbound-command';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import { sha256Digest } from '../../functions/platform/digest';
import { minimalBrand } from '../fixtures/brands/minimal-brand';
import { AGENT, CONVERSATION, fixtures } from '../fixtures/webhook-events';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const ROUTED_AT = '2026-11-25T10:15:31.000Z';
const sample = loadBrandConfig(sampleBrandDocument());
const ongoing: BotConversation = { isNew: false };
const opening: BotConversation = { isNew: true };

function inbound(body: unknown): InboundEvent {
  const parsed = parseInboundEvent(body, sha256Digest);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

/** A text message from a customer whose phone resolved to `resolvedLocale`. */
const textEvent = (text: string, resolvedLocale = 'en', requestId = 'req-1') =>
  inbound({
    ...fixtures.text,
    requestId,
    message: { ...fixtures.text.message, text },
    context: { ...fixtures.text.context, resolvedLocale, userInfo: {} },
  });

const chipTap = (postbackData: string, extra: Record<string, unknown> = {}) =>
  inbound({
    ...fixtures.suggestion,
    suggestionResponse: { ...fixtures.suggestion.suggestionResponse, postbackData, ...extra },
  });

/** The whole turn, as the handler runs it: ask the matcher what `botQuery` says, then decide. */
function turn(
  brand: BrandConfig,
  event: InboundEvent,
  conversation: BotConversation = ongoing,
  now: Date = NOW,
  lastUserMessageAt?: string | null,
) {
  const query = botQuery(brand, event, conversation, now);
  const t: BotTurn = {
    match: query ? matchIntent(query.text, query.locale, brand) : undefined,
    digest: sha256Digest,
    createdAt: ROUTED_AT,
    ...(lastUserMessageAt !== undefined ? { lastUserMessageAt } : {}),
  };
  return decideBotReply(brand, event, conversation, now, t);
}

const messages = (outbound: OutboundCommand[]) =>
  outbound.filter((c): c is SendMessageCommand => c.type === 'message').map((c) => c.message);
const shape = (outbound: OutboundCommand[]) =>
  outbound.map((c) =>
    c.type === 'event' ? c.event.eventType : c.type === 'message' ? c.message.messageId : c.type,
  );
const reply = (intentId: string, locale: string): BotReply =>
  sample.intents.find((i) => i.id === intentId)!.replies[locale]!;
const withoutIds = (m: ReturnType<typeof messages>[number]) => {
  const { messageId: _id, representative: _rep, ...rest } = m;
  return rest;
};

const BOT = {
  representativeType: 'BOT',
  displayName: 'Vélo Café',
  avatarImage: 'https://velo-cafe.example/images/bot-avatar.png',
};

describe('decideBotReply', () => {
  it('answers a matched question with the reply as the BOT, and no typing indicators around it', () => {
    const event = textEvent('What are your opening hours?');
    const lastUserMessageAt = '2026-11-25T10:15:30.123Z';
    const decision = turn(sample, event, ongoing, NOW, lastUserMessageAt);
    expect(decision).toMatchObject({ outcome: 'matched', reason: 'intent', intentId: 'hours' });
    const base = sha256Digest(`automation:${event.dedupeKey}`);
    expect(decision.outbound).toEqual([
      {
        type: 'message',
        conversationId: CONVERSATION,
        brandId: 'velo-cafe',
        agent: AGENT,
        causedBy: event.dedupeKey,
        createdAt: ROUTED_AT,
        // The routed event's copy, for the sender's 30-day window.
        lastUserMessageAt,
        message: { messageId: `${base}-m1`, representative: BOT, ...reply('hours', 'en') },
      },
    ]);
    for (const command of decision.outbound) {
      expect(OutboundCommandSchema.safeParse(command).success).toBe(true);
    }
  });

  it('puts typing indicators around the answer for a brand that asks (bot.typingIndicators)', () => {
    const brand = { ...sample, bot: { ...sample.bot, typingIndicators: true } };
    const event = textEvent('Are you open on Sunday?');
    const decision = turn(brand, event, opening);
    const base = sha256Digest(`automation:${event.dedupeKey}`);
    // Typing first and last, the messages between in order; every ID derived from the event.
    expect(shape(decision.outbound)).toEqual([
      'TYPING_STARTED',
      `${base}-m0`,
      `${base}-m1`,
      'TYPING_STOPPED',
    ]);
    const [started, , , stopped] = decision.outbound;
    expect(started).toEqual({
      type: 'event',
      conversationId: CONVERSATION,
      brandId: 'velo-cafe',
      agent: AGENT,
      causedBy: event.dedupeKey,
      createdAt: ROUTED_AT,
      eventId: `${base}-ts`,
      event: { eventType: 'TYPING_STARTED', representative: BOT },
    });
    expect(stopped).toMatchObject({
      eventId: `${base}-te`,
      event: { eventType: 'TYPING_STOPPED', representative: BOT },
    });
    // The same event always gives the same commands.
    expect(turn(brand, event, opening)).toEqual(decision);
  });

  it('carries no last-message time it does not know', () => {
    for (const known of [undefined, null]) {
      const decision = turn(sample, textEvent('prices?'), ongoing, NOW, known);
      expect(decision.outbound.length).toBeGreaterThan(0);
      for (const command of decision.outbound)
        expect(command).not.toHaveProperty('lastUserMessageAt');
    }
  });

  it('greets a new conversation first, with the place filled in, then answers', () => {
    const decision = turn(sample, textEvent('Are you open on Sunday?'), opening);
    expect(shape(decision.outbound)).toEqual([
      expect.stringMatching(/-m0$/),
      expect.stringMatching(/-m1$/),
    ]);
    const [greeting, answer] = messages(decision.outbound);
    expect(greeting?.text).toBe(
      "Hi, welcome to Vélo Café Canal Saint-Martin! ☕🚲 I'm the Vélo Café bot: ask me about our opening hours, prices, where to find us, or book a bike repair.",
    );
    expect(withoutIds(answer!)).toEqual(reply('hours', 'en'));
    expect(decision.outcome).toBe('matched');
  });

  it('greets by entry point, and uses the brand name where the place is unknown', () => {
    const event = inbound({
      ...fixtures.text,
      context: { entryPoint: 'MAPS', resolvedLocale: 'fr' },
      message: { ...fixtures.text.message, text: 'Salut' },
    });
    const [greeting] = messages(turn(sample, event, opening).outbound);
    expect(greeting?.text).toMatch(/^Bonjour, merci d'avoir trouvé Vélo Café sur Google Maps/);
  });

  it('lets the greeting alone answer small talk on a first message (answeredByGreeting)', () => {
    const first = turn(sample, textEvent('Bonjour', 'fr'), opening);
    expect(first).toMatchObject({ outcome: 'matched', reason: 'greeting', intentId: 'hello' });
    expect(messages(first.outbound).map((m) => m.messageId.slice(-3))).toEqual(['-m0']);
    const later = turn(sample, textEvent('Bonjour', 'fr'), ongoing);
    expect(withoutIds(messages(later.outbound)[0]!)).toEqual(reply('hello', 'fr'));
  });

  it('answers a first message it does not understand with the greeting alone, not a miss', () => {
    const decision = turn(sample, textEvent('xyzzy'), opening);
    expect(decision).toMatchObject({ outcome: 'none', reason: 'greeting' });
    expect(shape(decision.outbound)).toEqual([expect.stringMatching(/-m0$/)]);
  });

  it('sends the fallback with the liveAgentRequest chip on a miss, and counts it', () => {
    const decision = turn(sample, textEvent('Quel temps fait-il ?', 'fr'));
    expect(decision).toMatchObject({ outcome: 'missed', reason: 'fallback', locale: 'fr' });
    const [fallback] = messages(decision.outbound);
    expect(withoutIds(fallback!)).toEqual(sample.fallback.fr);
    expect(fallback?.suggestions).toContainEqual({ liveAgentRequest: {} });
  });

  it("routes a chip by its postback to that intent's reply, without the matcher", () => {
    const event = chipTap('intent:prices');
    expect(botQuery(sample, event, ongoing, NOW)).toBeUndefined();
    const decision = turn(sample, event);
    expect(decision).toMatchObject({ outcome: 'matched', intentId: 'prices' });
    expect(withoutIds(messages(decision.outbound)[0]!)).toEqual(reply('prices', 'en'));
  });

  it('matches the chip text when the postback names no intent it has', () => {
    const event = chipTap('intent:retired-intent', { text: 'Opening hours' });
    expect(botQuery(sample, event, ongoing, NOW)).toEqual({ text: 'Opening hours', locale: 'en' });
    expect(turn(sample, event).intentId).toBe('hours');
  });

  it('stays silent after an action chip (the device opened the URL or dialled)', () => {
    const event = chipTap('action:open-url', { text: 'Directions', suggestionType: 'ACTION' });
    expect(turn(sample, event)).toMatchObject({
      outbound: [],
      outcome: 'none',
      reason: 'action_chip',
    });
  });

  it('acknowledges an image', () => {
    const decision = turn(sample, inbound(fixtures.image));
    expect(decision).toMatchObject({ outcome: 'none', reason: 'image' });
    expect(withoutIds(messages(decision.outbound)[0]!)).toEqual(sample.imageReceived.en);
  });

  it.each<[string, Record<string, unknown>, BotReply]>([
    [
      'success',
      { code: '4/0AX4', redirectUri: 'https://x.example/' },
      sample.authentication.succeeded.en!,
    ],
    [
      'declined (ACCESS_DENIED)',
      { errorDetails: { error: 'ACCESS_DENIED' } },
      sample.authentication.failed.declined!.en!,
    ],
    [
      'unavailable (SERVER_ERROR)',
      { errorDetails: { error: 'SERVER_ERROR' } },
      sample.authentication.failed.unavailable!.en!,
    ],
    // The sample has no reply for `configuration`: the default apology.
    [
      'configuration (INVALID_SCOPE)',
      { errorDetails: { error: 'INVALID_SCOPE' } },
      sample.authentication.failed.default.en!,
    ],
    ['no code and no error', {}, sample.authentication.failed.default.en!],
  ])('answers an authentication response: %s', (_name, response, expected) => {
    const event = inbound({
      ...fixtures.authentication,
      authenticationResponse: response,
      context: { resolvedLocale: 'en' },
    });
    const decision = turn(sample, event);
    expect(decision.outcome).toBe('none');
    expect(withoutIds(messages(decision.outbound)[0]!)).toEqual(expected);
  });

  it.each([
    ['ACCESS_DENIED', 'declined'],
    ['TEMPORARILY_UNAVAILABLE', 'unavailable'],
    ['UNAUTHORIZED_CLIENT', 'configuration'],
    ['ERROR_UNSPECIFIED', 'unknown'],
    [undefined, 'unknown'],
  ])('groups the OAuth error %s as %s', (error, category) => {
    expect(authFailureCategory(error)).toBe(category);
  });

  it("sends the bot's offline message outside bot hours, and asks no matcher", () => {
    const b = minimalBrand();
    b.hours.bot.weekly = { wed: ['09:00-12:00'] };
    const brand = loadBrandConfig(b);
    const event = textEvent('hours?');
    // 2026-11-25 is a Wednesday; 12:00 UTC is 13:00 in Paris.
    expect(botQuery(brand, event, opening, NOW)).toBeUndefined();
    expect(answersEvent(brand, event, NOW)).toBe(false);
    const decision = turn(brand, event, opening);
    expect(decision).toMatchObject({ outcome: 'none', reason: 'offline' });
    expect(messages(decision.outbound).map(withoutIds)).toEqual([{ text: 'Bot offline.' }]);
    // 10:00 UTC is 11:00 in Paris: open.
    expect(turn(brand, event, ongoing, new Date('2026-11-25T10:00:00Z')).reason).toBe('intent');
  });

  it('does not answer what Google’s Dialogflow already answered', () => {
    const event = inbound({
      ...fixtures.dialogflow,
      dialogflowResponse: { ...fixtures.dialogflow.dialogflowResponse, autoResponded: true },
    });
    expect(turn(sample, event)).toEqual({
      outbound: [],
      outcome: 'none',
      reason: 'dialogflow_answered',
      locale: 'en',
    });
  });

  it.each(['readReceipts', 'typing', 'survey', 'liveAgentRequest', 'unknownKind'] as const)(
    'has nothing to say to %s',
    (name) => {
      expect(turn(sample, inbound(fixtures[name]))).toMatchObject({
        outbound: [],
        reason: 'not_for_bot',
      });
    },
  );

  it('sends typing events only for a brand that asks for them (off by default)', () => {
    const b = minimalBrand();
    expect(shape(turn(loadBrandConfig(b), textEvent('open?')).outbound)).toEqual([
      expect.stringMatching(/-m1$/),
    ]);
    b.bot = { typingIndicators: true };
    expect(shape(turn(loadBrandConfig(b), textEvent('open?')).outbound)).toEqual([
      'TYPING_STARTED',
      expect.stringMatching(/-m1$/),
      'TYPING_STOPPED',
    ]);
  });

  it('answers in the conversation’s locale when the event carries no context', () => {
    const event = inbound({ ...fixtures.suggestion, context: undefined });
    const decision = turn(sample, event, { isNew: false, locale: 'fr-CA' });
    expect(decision.locale).toBe('fr');
    expect(withoutIds(messages(decision.outbound)[0]!)).toEqual(reply('hours', 'fr'));
  });

  it('refuses to send a reply the API would reject (BotReplyError, permanent)', () => {
    const broken = { ...sample, imageReceived: { en: { text: '' }, fr: { text: '' } } };
    expect(() => turn(broken, inbound(fixtures.image))).toThrow(BotReplyError);
  });
});

describe('intents × locales: the right reply in the right language', () => {
  // What a customer would write, per language; the brand default (fr) answers unknown locales.
  const asked: Record<string, { en: string; fr: string }> = {
    hours: { en: 'When are you open?', fr: 'Vous ouvrez quand ?' },
    location: { en: 'What is your address?', fr: 'Quelle est votre adresse ?' },
    prices: { en: 'How much is an espresso?', fr: 'Quel est le prix du café ?' },
    'repair-booking': { en: 'Can you repair my brakes?', fr: 'Vous réparez les freins ?' },
    thanks: { en: 'thank you', fr: 'merci' },
    hello: { en: 'hi', fr: 'salut' },
  };
  const locales: [string, 'en' | 'fr'][] = [
    ['en', 'en'],
    ['fr', 'fr'],
    ['fr-CA', 'fr'],
    ['de', 'fr'],
  ];
  const rows = Object.keys(asked).flatMap((intentId) =>
    locales.map(([resolved, answered]) => [intentId, resolved, answered] as const),
  );

  it.each(rows)('%s asked in %s is answered in %s', (intentId, resolved, answered) => {
    const decision = turn(sample, textEvent(asked[intentId]![answered], resolved));
    expect(decision).toMatchObject({ intentId, locale: answered, outcome: 'matched' });
    expect(withoutIds(messages(decision.outbound)[0]!)).toEqual(reply(intentId, answered));
  });
});

describe('deterministic IDs', () => {
  it('gives byte-identical commands for the same event, whatever the clock says later', () => {
    const event = textEvent('Where are you?');
    const first = JSON.stringify(turn(sample, event, opening).outbound);
    const again = JSON.stringify(
      turn(sample, event, opening, new Date('2026-11-25T18:00:00Z')).outbound,
    );
    expect(again).toBe(first);
  });

  it('gives other IDs to another event, all valid API IDs', () => {
    const a = turn(sample, textEvent('hours', 'en', 'req-a'), opening).outbound;
    const b = turn(sample, textEvent('hours', 'en', 'req-b'), opening).outbound;
    const ids = (cs: OutboundCommand[]) =>
      cs.map((c) =>
        c.type === 'event' ? c.eventId : c.type === 'message' ? c.message.messageId : '',
      );
    expect(ids(a).filter((id) => ids(b).includes(id))).toEqual([]);
    for (const id of [...ids(a), ...ids(b)]) expect(id).toMatch(API_ID);
  });

  it('keeps IDs valid with any digest', () => {
    const long = (s: string) => `${sha256Digest(s)}${sha256Digest(s)}/+=`;
    const decision = decideBotReply(sample, textEvent('hours'), opening, NOW, {
      match: { intentId: 'hours', confidence: 1 },
      digest: long,
      createdAt: ROUTED_AT,
    });
    for (const c of decision.outbound) {
      expect(
        c.type === 'event' ? c.eventId : c.type === 'message' ? c.message.messageId : '',
      ).toMatch(API_ID);
    }
  });

  it("does not let the greeting change the answer's ID", () => {
    const event = textEvent('hours');
    const answerId = (c: BotConversation) =>
      messages(turn(sample, event, c).outbound).find((m) => m.messageId.endsWith('-m1'))?.messageId;
    expect(answerId(opening)).toBe(answerId(ongoing));
  });
});

describe('opensConversation', () => {
  const entry = (key: string, direction: 'inbound' | 'outbound') =>
    ({ direction, key }) as unknown as MessageLogEntry;

  it.each<[string, MessageLogEntry[], boolean, boolean]>([
    ['the only entry', [entry('k', 'inbound')], true, true],
    [
      'followed by answers and more messages',
      [entry('k', 'inbound'), entry('m0', 'outbound'), entry('k2', 'inbound')],
      true,
      true,
    ],
    ['after an earlier message', [entry('k0', 'inbound'), entry('k', 'inbound')], true, false],
    ['not in the log', [entry('k0', 'inbound')], true, false],
    ['a log read only in part', [entry('k', 'inbound')], false, false],
  ])('%s', (_name, log, complete, expected) => {
    expect(opensConversation(log, 'k', complete)).toBe(expected);
  });
});
