import type * as z from 'zod';
import {
  BM_LIMITS,
  Event,
  Message,
  MessageWithFallback,
  Receipt,
  Representative,
  Survey,
} from '../../functions/core/business-messages-api';
import { describeIssues } from '../../functions/core/validation-problems';

/** '' when the value parses, else the rendered issues: assertions then read like the 400. */
function issuesOf(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  return result.success ? '' : describeIssues(result.error);
}

const x = (n: number): string => 'x'.repeat(n);
const times = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);

const bot = { representativeType: 'BOT' } as const;
const message = (content: Record<string, unknown>) => ({
  messageId: 'm-1',
  representative: bot,
  ...content,
});
const text = { text: 'Hello' };
const reply = { reply: { text: 'Yes', postbackData: 'yes' } };
const openUrl = { action: { text: 'Open', openUrlAction: { url: 'https://example.com/' } } };
const dial = { action: { text: 'Call', dialAction: { phoneNumber: '+1-201-555-0123' } } };
const media = { height: 'MEDIUM', contentInfo: { fileUrl: 'https://example.com/a.png' } };
const standalone = (cardContent: Record<string, unknown>) =>
  message({ richCard: { standaloneCard: { cardContent } } });
const carousel = (cardContents: unknown[], cardWidth = 'MEDIUM') =>
  message({ richCard: { carouselCard: { cardWidth, cardContents } } });
const card = { title: 'Card' };

describe('BM_LIMITS', () => {
  it("holds Google's published limits", () => {
    expect(BM_LIMITS).toEqual({
      textChars: 3072,
      fallbackChars: 3072,
      messageSuggestions: 13,
      chipTextChars: 25,
      postbackDataChars: 2048,
      cardTitleChars: 200,
      cardDescriptionChars: 2000,
      cardSuggestions: 4,
      carouselMinCards: 2,
      carouselMaxCards: 10,
    });
  });
});

describe('Message limits', () => {
  // Each row builds a message with `n` of something; `limit` passes and `limit + 1` fails.
  const upperBounds: {
    name: string;
    limit: number;
    path: string;
    build: (n: number) => unknown;
  }[] = [
    {
      name: 'text characters',
      limit: BM_LIMITS.textChars,
      path: 'text',
      build: (n) => message({ text: x(n) }),
    },
    {
      name: 'fallback characters',
      limit: BM_LIMITS.fallbackChars,
      path: 'fallback',
      build: (n) => message({ ...text, fallback: x(n) }),
    },
    {
      name: 'suggestions on a message (14 fail)',
      limit: BM_LIMITS.messageSuggestions,
      path: 'suggestions',
      build: (n) => message({ ...text, suggestions: times(n, reply) }),
    },
    {
      name: 'reply chip text characters',
      limit: BM_LIMITS.chipTextChars,
      path: 'suggestions.0.reply.text',
      build: (n) => message({ ...text, suggestions: [{ reply: { text: x(n) } }] }),
    },
    {
      name: 'reply postbackData characters',
      limit: BM_LIMITS.postbackDataChars,
      path: 'suggestions.0.reply.postbackData',
      build: (n) =>
        message({ ...text, suggestions: [{ reply: { text: 'a', postbackData: x(n) } }] }),
    },
    {
      name: 'action chip text characters',
      limit: BM_LIMITS.chipTextChars,
      path: 'suggestions.0.action.text',
      build: (n) =>
        message({ ...text, suggestions: [{ action: { ...openUrl.action, text: x(n) } }] }),
    },
    {
      name: 'action postbackData characters',
      limit: BM_LIMITS.postbackDataChars,
      path: 'suggestions.0.action.postbackData',
      build: (n) =>
        message({ ...text, suggestions: [{ action: { ...dial.action, postbackData: x(n) } }] }),
    },
    {
      name: 'card title characters',
      limit: BM_LIMITS.cardTitleChars,
      path: 'richCard.standaloneCard.cardContent.title',
      build: (n) => standalone({ title: x(n) }),
    },
    {
      name: 'card description characters',
      limit: BM_LIMITS.cardDescriptionChars,
      path: 'richCard.standaloneCard.cardContent.description',
      build: (n) => standalone({ description: x(n) }),
    },
    {
      name: 'suggestions on a card (5 fail)',
      limit: BM_LIMITS.cardSuggestions,
      path: 'richCard.standaloneCard.cardContent.suggestions',
      build: (n) => standalone({ ...card, suggestions: times(n, reply) }),
    },
    {
      name: 'cards in a carousel (11 fail)',
      limit: BM_LIMITS.carouselMaxCards,
      path: 'richCard.carouselCard.cardContents',
      build: (n) => carousel(times(n, card)),
    },
  ];

  it.each(upperBounds)('$name: $limit passes', ({ limit, build }) => {
    expect(issuesOf(Message, build(limit))).toBe('');
  });

  it.each(upperBounds)('$name: one over fails naming $path', ({ limit, path, build }) => {
    expect(issuesOf(Message, build(limit + 1))).toMatch(new RegExp(`^${path}: .*at most ${limit}`));
  });

  it('needs at least 2 cards in a carousel (1 fails)', () => {
    expect(issuesOf(Message, carousel(times(BM_LIMITS.carouselMinCards, card)))).toBe('');
    expect(issuesOf(Message, carousel([card]))).toBe(
      'richCard.carouselCard.cardContents: cardContents needs at least 2 cards (got 1)',
    );
  });
});

describe('exactly-one-of rules', () => {
  const cases: { name: string; value: unknown; issues: string }[] = [
    {
      name: 'message without content',
      value: message({}),
      issues: '(root): message needs exactly one of text, image, richCard',
    },
    {
      name: 'message with text and a rich card',
      value: message({ ...text, richCard: { standaloneCard: { cardContent: card } } }),
      issues:
        'richCard: message takes exactly one of text, image, richCard, found text and richCard',
    },
    {
      name: 'empty suggestion',
      value: message({ ...text, suggestions: [{}] }),
      issues:
        'suggestions.0: suggestion needs exactly one of reply, action, liveAgentRequest, authenticationRequest',
    },
    {
      name: 'suggestion with reply and liveAgentRequest',
      value: message({ ...text, suggestions: [{ ...reply, liveAgentRequest: {} }] }),
      issues:
        'suggestions.0.liveAgentRequest: suggestion takes exactly one of reply, action, liveAgentRequest, authenticationRequest, found reply and liveAgentRequest',
    },
    {
      name: 'action without a target',
      value: message({ ...text, suggestions: [{ action: { text: 'Go' } }] }),
      issues: 'suggestions.0.action: action needs exactly one of openUrlAction, dialAction',
    },
    {
      name: 'action with both targets',
      value: message({
        ...text,
        suggestions: [{ action: { ...openUrl.action, dialAction: dial.action.dialAction } }],
      }),
      issues:
        'suggestions.0.action.dialAction: action takes exactly one of openUrlAction, dialAction, found openUrlAction and dialAction',
    },
    {
      name: 'rich card with neither kind',
      value: message({ richCard: {} }),
      issues: 'richCard: richCard needs exactly one of standaloneCard, carouselCard',
    },
    {
      name: 'rich card with both kinds',
      value: message({
        richCard: {
          standaloneCard: { cardContent: card },
          carouselCard: { cardWidth: 'SMALL', cardContents: [card, card] },
        },
      }),
      issues:
        'richCard.carouselCard: richCard takes exactly one of standaloneCard, carouselCard, found standaloneCard and carouselCard',
    },
  ];

  it.each(cases)('rejects $name', ({ value, issues }) => {
    expect(issuesOf(Message, value)).toBe(issues);
  });

  const suggestions = [
    { name: 'reply', suggestion: reply },
    { name: 'openUrlAction', suggestion: openUrl },
    { name: 'dialAction', suggestion: dial },
    { name: 'liveAgentRequest', suggestion: { liveAgentRequest: {} } },
    {
      name: 'authenticationRequest',
      suggestion: {
        authenticationRequest: {
          oauth: { clientId: 'client', codeChallenge: 'challenge', scopes: ['profile'] },
        },
      },
    },
  ];

  it.each(suggestions)('accepts a $name suggestion on its own', ({ suggestion }) => {
    expect(issuesOf(Message, message({ ...text, suggestions: [suggestion] }))).toBe('');
  });

  it('accepts each content kind on its own', () => {
    expect(issuesOf(Message, message(text))).toBe('');
    expect(issuesOf(Message, message({ image: { contentInfo: media.contentInfo } }))).toBe('');
    expect(issuesOf(Message, standalone({ ...card, media }))).toBe('');
  });
});

describe('other Message rules', () => {
  const cases: { name: string; value: unknown; issues: string }[] = [
    {
      name: 'missing messageId',
      value: { representative: bot, ...text },
      issues: 'messageId: messageId is required',
    },
    {
      name: 'missing representative',
      value: { messageId: 'm-1', ...text },
      issues: 'representative: representative is required',
    },
    {
      name: 'unspecified representative type',
      value: message({
        ...text,
        representative: { representativeType: 'REPRESENTATIVE_TYPE_UNSPECIFIED' },
      }),
      issues: 'representative.representativeType: representativeType must be one of BOT, HUMAN',
    },
    {
      name: 'avatar over plain http',
      value: message({
        ...text,
        representative: { representativeType: 'HUMAN', avatarImage: 'http://example.com/a.png' },
      }),
      issues: 'representative.avatarImage: avatarImage must be a https URL',
    },
    {
      name: 'a field Google does not have (rich text is text + containsRichText)',
      value: message({ richText: '**hi**' }),
      issues:
        '(root): Unrecognized key: "richText"; (root): message needs exactly one of text, image, richCard',
    },
    {
      name: 'TALL media in a SMALL carousel',
      value: carousel([{ ...card, media: { ...media, height: 'TALL' } }, card], 'SMALL'),
      issues:
        'richCard.carouselCard.cardContents.0.media.height: height TALL is not allowed with cardWidth SMALL',
    },
    {
      name: 'an empty card',
      value: standalone({}),
      issues: 'richCard.standaloneCard.cardContent: card needs a title, description or media',
    },
    {
      name: 'a phone number that is not RFC 3966',
      value: message({
        ...text,
        suggestions: [{ action: { text: 'Call', dialAction: { phoneNumber: '555 0123' } } }],
      }),
      issues:
        'suggestions.0.action.dialAction.phoneNumber: phoneNumber must be an RFC 3966 global number such as +1-201-555-0123',
    },
  ];

  it.each(cases)('rejects $name', ({ value, issues }) => {
    expect(issuesOf(Message, value)).toBe(issues);
  });

  it('accepts TALL media in a MEDIUM carousel and a HUMAN with an https avatar', () => {
    expect(
      issuesOf(Message, carousel([{ ...card, media: { ...media, height: 'TALL' } }, card])),
    ).toBe('');
    const human = {
      representativeType: 'HUMAN',
      displayName: 'Ana',
      avatarImage: 'https://a.test/a.png',
    };
    expect(issuesOf(Message, message({ ...text, representative: human }))).toBe('');
  });
});

describe('requireFallbackForRichContent (brand configs, not the API)', () => {
  const rich = [
    { name: 'a rich card', value: standalone(card) },
    { name: 'an image', value: message({ image: { contentInfo: media.contentInfo } }) },
    { name: 'rich text', value: message({ text: '**Hi**', containsRichText: true }) },
  ];

  it.each(rich)('Google accepts $name without fallback', ({ value }) => {
    expect(issuesOf(Message, value)).toBe('');
  });

  it.each(rich)('brand configs reject $name without fallback', ({ value }) => {
    expect(issuesOf(MessageWithFallback, value)).toBe(
      'fallback: fallback is required for rich content',
    );
    expect(issuesOf(MessageWithFallback, { ...(value as object), fallback: ' ' })).toBe(
      'fallback: fallback is required for rich content',
    );
  });

  it.each(rich)('brand configs accept $name with fallback', ({ value }) => {
    expect(issuesOf(MessageWithFallback, { ...(value as object), fallback: 'Hi' })).toBe('');
  });

  it('does not ask plain text for a fallback', () => {
    expect(issuesOf(MessageWithFallback, message(text))).toBe('');
  });
});

describe('Event, Receipt, Survey, Representative', () => {
  const cases: { name: string; schema: z.ZodType; value: unknown; issues: string }[] = [
    {
      name: 'event: typing started',
      schema: Event,
      value: { eventType: 'TYPING_STARTED', representative: bot },
      issues: '',
    },
    {
      name: 'event: representative joined',
      schema: Event,
      value: {
        eventType: 'REPRESENTATIVE_JOINED',
        representative: { representativeType: 'HUMAN' },
      },
      issues: '',
    },
    {
      name: 'event: unknown type',
      schema: Event,
      value: { eventType: 'WAVING', representative: bot },
      issues:
        'eventType: eventType must be one of TYPING_STARTED, TYPING_STOPPED, REPRESENTATIVE_JOINED, REPRESENTATIVE_LEFT',
    },
    {
      name: 'event: no representative',
      schema: Event,
      value: { eventType: 'TYPING_STOPPED' },
      issues: 'representative: representative is required',
    },
    { name: 'receipt: READ', schema: Receipt, value: { receiptType: 'READ' }, issues: '' },
    {
      name: 'receipt: DELIVERED (agents only send READ)',
      schema: Receipt,
      value: { receiptType: 'DELIVERED' },
      issues: 'receiptType: receiptType must be READ',
    },
    { name: 'survey: empty body', schema: Survey, value: {}, issues: '' },
    {
      name: 'survey: unknown field',
      schema: Survey,
      value: { rating: 5 },
      issues: '(root): Unrecognized key: "rating"',
    },
    {
      name: 'representative: display name must not be empty',
      schema: Representative,
      value: { representativeType: 'BOT', displayName: '' },
      issues: 'displayName: displayName must not be empty',
    },
  ];

  it.each(cases)('$name', ({ schema, value, issues }) => {
    expect(issuesOf(schema, value)).toBe(issues);
  });
});
