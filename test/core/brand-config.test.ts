import type { BrandConfigInput, QueueSettings } from '../../functions/core/brand-config';
import {
  BrandConfigError,
  fillPlaceholders,
  formatPath,
  loadBrandConfig,
  loadQueueSettings,
  parseBrandConfig,
} from '../../functions/core/brand-config';
import type { Suggestion } from '../../functions/core/business-messages-api';
import { BM_LIMITS } from '../../functions/core/business-messages-api';
import { sampleBrandDocument, sampleBrandDocuments } from '../../functions/local/sample-brand';
import { MINIMAL_BRAND_ID, minimalBrand } from '../fixtures/brands/minimal-brand';

/** The problems a document is rejected with; [] when it loads. */
function problemsOf(document: unknown): string[] {
  const parsed = parseBrandConfig(document);
  return parsed.ok ? [] : parsed.problems;
}

/** The minimal brand with one change. */
function brandWith(change: (b: BrandConfigInput) => void): BrandConfigInput {
  const b = minimalBrand();
  change(b);
  return b;
}

const x = (n: number) => 'x'.repeat(n);
const chip = (text = 'Chip', postbackData = 'chip'): Suggestion => ({
  reply: { text, postbackData },
});
const times = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);
const media = { height: 'MEDIUM' as const, contentInfo: { fileUrl: 'https://example.com/a.png' } };
const card = (title = 'Card') => ({ title, media });

/** Intent 1 (`prices`, English) becomes a standalone card with a fallback. */
const withCard = (cardContent: Record<string, unknown>) =>
  brandWith((b) => {
    b.intents[1]!.replies.en = {
      richCard: { standaloneCard: { cardContent: cardContent } },
      fallback: 'Coffee is €2.',
    };
  });

/** Intent 1 (`prices`, English) becomes a carousel with a fallback. */
const withCarousel = (cards: unknown[]) =>
  brandWith((b) => {
    b.intents[1]!.replies.en = {
      richCard: { carouselCard: { cardWidth: 'MEDIUM', cardContents: cards as never } },
      fallback: 'Coffee is €2.',
    };
  });

const CARD = 'intents[1].replies.en.richCard.standaloneCard.cardContent';
const CAROUSEL = 'intents[1].replies.en.richCard.carouselCard';

describe('BrandConfig', () => {
  it('accepts the minimal brand and applies defaults', () => {
    const config = loadBrandConfig(minimalBrand());
    expect(config.brandId).toBe(MINIMAL_BRAND_ID);
    // A bot's answer is ready at once: typing indicators only for brands that ask for them.
    expect(config.bot.typingIndicators).toBe(false);
  });

  it('accepts the sample brand (Vélo Café)', () => {
    expect(problemsOf(sampleBrandDocument())).toEqual([]);
  });

  describe('every Business Messages limit is enforced at load, naming the field', () => {
    // One row per limit: the configuration breaks exactly it, and the one problem names it.
    it.each<[string, BrandConfigInput, string]>([
      [
        `text ≤ ${BM_LIMITS.textChars}`,
        brandWith((b) => (b.intents[0]!.replies.en!.text = x(3073))),
        'intents[0].replies.en.text: must be at most 3072 characters (got 3073)',
      ],
      [
        `≤ ${BM_LIMITS.messageSuggestions} suggestions per message`,
        brandWith((b) => (b.intents[0]!.replies.fr!.suggestions = times(14, () => chip()))),
        'intents[0].replies.fr.suggestions: allows at most 13 items (got 14)',
      ],
      [
        `chip text ≤ ${BM_LIMITS.chipTextChars}`,
        (() => {
          // The sample brand's intents[3] is repair-booking; its third French chip is a reply.
          const b = sampleBrandDocument() as BrandConfigInput;
          b.intents[3]!.replies.fr!.suggestions![2]!.reply!.text = x(26);
          return b;
        })(),
        'intents[3].replies.fr.suggestions[2].reply.text: must be at most 25 characters (got 26)',
      ],
      [
        `postbackData ≤ ${BM_LIMITS.postbackDataChars}`,
        brandWith((b) => (b.intents[0]!.replies.en!.suggestions = [chip('Chip', x(2049))])),
        'intents[0].replies.en.suggestions[0].reply.postbackData: must be at most 2048 characters (got 2049)',
      ],
      [
        `card title ≤ ${BM_LIMITS.cardTitleChars}`,
        withCard(card(x(201))),
        `${CARD}.title: must be at most 200 characters (got 201)`,
      ],
      [
        `card description ≤ ${BM_LIMITS.cardDescriptionChars}`,
        withCard({ ...card(), description: x(2001) }),
        `${CARD}.description: must be at most 2000 characters (got 2001)`,
      ],
      [
        `≤ ${BM_LIMITS.cardSuggestions} suggestions per card`,
        withCard({ ...card(), suggestions: times(5, () => chip()) }),
        `${CARD}.suggestions: allows at most 4 items (got 5)`,
      ],
      [
        `carousel ≥ ${BM_LIMITS.carouselMinCards} cards`,
        withCarousel([card()]),
        `${CAROUSEL}.cardContents: needs at least 2 cards (got 1)`,
      ],
      [
        `carousel ≤ ${BM_LIMITS.carouselMaxCards} cards`,
        withCarousel(times(11, () => card())),
        `${CAROUSEL}.cardContents: allows at most 10 items (got 11)`,
      ],
      [
        `fallback ≤ ${BM_LIMITS.fallbackChars}`,
        brandWith((b) => {
          b.intents[1]!.replies.en = {
            richCard: { standaloneCard: { cardContent: card() } },
            fallback: x(3073),
          };
        }),
        'intents[1].replies.en.fallback: must be at most 3072 characters (got 3073)',
      ],
      [
        'a rich card needs a fallback text',
        brandWith((b) => {
          b.intents[1]!.replies.en = { richCard: { standaloneCard: { cardContent: card() } } };
        }),
        'intents[1].replies.en.fallback: is required for rich content',
      ],
      [
        'rich text needs a fallback text',
        brandWith((b) => {
          b.fallback.fr = {
            text: '**Pardon ?**',
            containsRichText: true,
            suggestions: [{ liveAgentRequest: {} }],
          };
        }),
        'fallback.fr.fallback: is required for rich content',
      ],
    ])('%s', (_limit, document, problem) => {
      expect(problemsOf(document)).toEqual([problem]);
    });

    it('accepts each limit exactly at its bound', () => {
      const b = minimalBrand();
      b.intents[0]!.replies.en = {
        text: x(3072),
        suggestions: [chip(x(25), x(2048)), ...times(12, () => chip())],
      };
      b.intents[1]!.replies.en = {
        richCard: {
          carouselCard: {
            cardWidth: 'MEDIUM',
            cardContents: times(10, () => ({
              title: x(200),
              description: x(2000),
              media,
              suggestions: times(4, () => chip()),
            })),
          },
        },
        fallback: x(3072),
      };
      expect(problemsOf(b)).toEqual([]);
    });

    it('reports every problem at once', () => {
      const b = brandWith((b) => {
        b.intents[0]!.replies.en!.text = x(3073);
        b.intents[0]!.replies.fr!.suggestions = [chip(x(26))];
      });
      expect(problemsOf(b)).toEqual([
        'intents[0].replies.en.text: must be at most 3072 characters (got 3073)',
        'intents[0].replies.fr.suggestions[0].reply.text: must be at most 25 characters (got 26)',
      ]);
    });
  });

  describe('the rest of the configuration is checked too', () => {
    it.each<[string, (b: BrandConfigInput) => void, unknown]>([
      ['a missing locale', (b) => delete b.fallback.fr, 'fallback.fr: missing the fr version'],
      [
        'a locale the brand does not have',
        (b) => (b.greeting.default.de = { text: 'Willkommen' }),
        'greeting.default.de: not one of locales (en, fr)',
      ],
      [
        'a chip to an intent that does not exist',
        (b) => (b.intents[0]!.replies.en!.suggestions = [chip('Menu', 'intent:menu')]),
        'intents[0].replies.en.suggestions[0].reply.postbackData: no intent "menu"',
      ],
      [
        'a fallback without the liveAgentRequest chip',
        (b) => (b.fallback.fr = { text: 'Pardon ?' }),
        'fallback.fr.suggestions: the fallback must offer a liveAgentRequest chip',
      ],
      [
        'a liveAgentRequest chip inside a card',
        (b) => {
          b.intents[1]!.replies.en = {
            richCard: {
              standaloneCard: {
                cardContent: { ...card(), suggestions: [{ liveAgentRequest: {} }] },
              },
            },
            fallback: 'Coffee is €2.',
          };
        },
        `${CARD}.suggestions[0].liveAgentRequest: not supported inside a rich card; offer it in the message suggestions`,
      ],
      [
        'an unknown placeholder',
        (b) => (b.greeting.default.en = { text: 'Welcome to {plaecName}!' }),
        'greeting.default.en.text: unknown placeholder {plaecName} (known: {brandName}, {placeName})',
      ],
      [
        'a placeholder that breaks a limit once filled in',
        (b) => {
          b.places = { 'place-1': { name: { en: x(100), fr: 'Chez nous' } } };
          b.greeting.default.en = { text: `${x(3000)} {placeName}` };
        },
        'greeting.default.en.text: must be at most 3072 characters (got 3101) once placeholders are filled in',
      ],
      [
        'an unknown time zone',
        (b) => (b.hours.bot.timeZone = 'Europe/Pariss'),
        'hours.bot.timeZone: unknown IANA time zone "Europe/Pariss"',
      ],
      [
        'a malformed time range',
        (b) => (b.hours.human.weekly.mon = ['9-17']),
        'hours.human.weekly.mon[0]: expected HH:MM-HH:MM (24-hour, e.g. 08:30-18:00), got "9-17"',
      ],
      [
        'a range that closes before it opens',
        (b) => (b.hours.bot.weekly.sat = ['22:00-02:00']),
        'hours.bot.weekly.sat[0]: 22:00-02:00 closes before it opens (split a range across midnight into two days)',
      ],
      [
        'a repeated intent ID',
        (b) => (b.intents[0]!.id = 'prices'),
        'intents[1].id: intent prices repeats',
      ],
      [
        "another brand's agent",
        (b) => (b.agents = ['brands/other/agents/a1']),
        'agents[0]: brands/other/agents/a1 is not an agent of brand test-brand',
      ],
      [
        'a default locale the brand does not have',
        (b) => (b.defaultLocale = 'de'),
        'defaultLocale: de is not one of locales (en, fr)',
      ],
      [
        'a misspelt field',
        (b) => ((b as Record<string, unknown>).greting = {}),
        'greting: unknown field',
      ],
      [
        'an unknown entry point',
        (b) => ((b.greeting.byEntryPoint as Record<string, unknown>) = { MAP: {} }),
        'greeting.byEntryPoint.MAP: unknown field',
      ],
      [
        'an invalid regular expression',
        (b) => (b.intents[0]!.match!.en!.patterns = ['(open']),
        // V8 words the reason; the field path and the prefix are ours.
        expect.stringMatching(
          /^intents\[0\]\.match\.en\.patterns\[0\]: not a valid regular expression: /,
        ),
      ],
      [
        'a pattern that matches everything',
        (b) => (b.intents[0]!.match!.en!.patterns = ['x*']),
        'intents[0].match.en.patterns[0]: matches the empty string, so it would match every message',
      ],
      [
        'a keyword without a word',
        (b) => (b.intents[0]!.match!.fr!.keywords = ['?!']),
        'intents[0].match.fr.keywords[0]: a keyword needs at least one letter or digit',
      ],
      [
        'a star inside a word',
        (b) => (b.intents[0]!.match!.fr!.keywords = ['ou*vert']),
        'intents[0].match.fr.keywords[0]: "*" may only end a word (ou*vert)',
      ],
      [
        'a messageId in a reply',
        (b) => ((b.imageReceived.en as Record<string, unknown>).messageId = 'm1'),
        'imageReceived.en.messageId: is set by the bot',
      ],
      [
        'no miss threshold',
        (b) => ((b.routing as Record<string, unknown>).missThreshold = undefined),
        'routing.missThreshold: Invalid input: expected number, received undefined',
      ],
      [
        'a schema version from the future',
        (b) => ((b as Record<string, unknown>).schemaVersion = 2),
        'schemaVersion: must be 1',
      ],
    ])('rejects %s', (_name, change, problem) => {
      expect(problemsOf(brandWith(change))).toEqual([problem]);
    });

    it('keeps routing fields it does not know (the classifier reads them) and `dedicated`', () => {
      const config = loadBrandConfig(
        brandWith((b) => {
          b.routing = { missThreshold: 3, queue: 'vip' };
          b.dedicated = true;
        }),
      );
      expect(config.routing).toEqual({ missThreshold: 3, queue: 'vip' });
      expect(config.dedicated).toBe(true);
    });
  });

  describe('errors', () => {
    it('BrandConfigError names the brand and every problem, and is permanent', () => {
      const document = brandWith((b) => (b.intents[0]!.replies.en!.text = ''));
      let thrown: unknown;
      try {
        loadBrandConfig(document);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BrandConfigError);
      const error = thrown as BrandConfigError;
      expect(error.brandId).toBe(MINIMAL_BRAND_ID);
      expect(error.retryable).toBe(false);
      expect(error.message).toBe(
        'invalid brand configuration for test-brand:\n  - intents[0].replies.en.text: must not be empty',
      );
    });

    it.each<[PropertyKey[], string]>([
      [['intents', 3, 'replies', 'fr'], 'intents[3].replies.fr'],
      [['places', 'ChIJ-x_1', 'name'], 'places.ChIJ-x_1.name'],
      [['places', 'a.b', 'name'], 'places["a.b"].name'],
      [[], '(root)'],
    ])('formatPath(%j) = %s', (path, expected) => {
      expect(formatPath(path)).toBe(expected);
    });
  });

  describe('fillPlaceholders', () => {
    it('fills texts, fallbacks and card texts, and leaves URLs and postbacks alone', () => {
      const filled = fillPlaceholders(
        {
          richCard: {
            carouselCard: {
              cardWidth: 'SMALL',
              cardContents: [
                { title: '{brandName}', description: 'at {placeName}', media },
                { title: 'Two', suggestions: [chip('{placeName}', '{placeName}')] },
              ],
            },
          },
          fallback: '{brandName} at {placeName}, {unknown}',
        },
        { brandName: 'Vélo Café', placeName: 'the canal' },
      );
      expect(filled).toEqual({
        richCard: {
          carouselCard: {
            cardWidth: 'SMALL',
            cardContents: [
              { title: 'Vélo Café', description: 'at the canal', media },
              { title: 'Two', suggestions: [chip('{placeName}', '{placeName}')] },
            ],
          },
        },
        fallback: 'Vélo Café at the canal, {unknown}',
      });
    });
  });
});

describe('canned responses', () => {
  const canned = (shortcut: string, text: Record<string, string>) => ({
    shortcut,
    title: 'A prepared answer',
    text,
  });
  const every = (t: string) => Object.fromEntries(minimalBrand().locales.map((l) => [l, t]));

  it('the sample brands offer some, in every language they speak', () => {
    const config = loadBrandConfig(sampleBrandDocument());
    expect(config.cannedResponses?.length).toBeGreaterThan(0);
    for (const c of config.cannedResponses ?? []) {
      expect(Object.keys(c.text).sort()).toEqual([...config.locales].sort());
    }
  });

  it('are optional', () => {
    expect(problemsOf(brandWith((b) => delete b.cannedResponses))).toEqual([]);
  });

  it('each problem names its field path', () => {
    const b = brandWith((b) => {
      b.cannedResponses = [
        canned('hours', every('We open at 9.')),
        canned('hours', every('Again.')),
        canned('Bad Shortcut', every('x')),
        canned('long', every(x(BM_LIMITS.textChars + 1))),
        canned('partial', { [minimalBrand().defaultLocale]: 'Only one language' }),
      ];
    });
    const problems = problemsOf(b);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^cannedResponses\[2\]\.shortcut: expected 1-32 of a-z/),
        expect.stringMatching(/^cannedResponses\[3\]\.text\.\w+: .*3072/),
      ]),
    );
    // Cross-references are checked once every field is well-formed: fix those two, then see them.
    const wellFormed = brandWith((b) => {
      b.cannedResponses = [
        canned('hours', every('We open at 9.')),
        canned('hours', every('Again.')),
        canned('partial', { [minimalBrand().defaultLocale]: 'Only one language' }),
      ];
    });
    const missing = minimalBrand().locales.find((l) => l !== minimalBrand().defaultLocale);
    expect(problemsOf(wellFormed)).toEqual(
      expect.arrayContaining([
        'cannedResponses[1].shortcut: /hours repeats',
        ...(missing ? [`cannedResponses[2].text.${missing}: missing the ${missing} version`] : []),
      ]),
    );
  });
});

describe('QueueSettings: what liveAgent reads of a brand', () => {
  /** The problems `loadQueueSettings` refuses a document with; [] when it loads. */
  function queueProblemsOf(document: unknown): string[] {
    try {
      loadQueueSettings(document);
      return [];
    } catch (error) {
      if (error instanceof BrandConfigError) return error.problems;
      throw error;
    }
  }

  it('accepts the sample brands, as the whole configuration does', () => {
    for (const document of sampleBrandDocuments()) {
      const settings = loadQueueSettings(document);
      const config = loadBrandConfig(document);
      expect(settings).toMatchObject({
        brandId: config.brandId,
        displayName: config.displayName,
        locales: config.locales,
        defaultLocale: config.defaultLocale,
        hours: { human: config.hours.human },
      });
      expect(settings.places).toEqual(config.places);
    }
  });

  it('a whole configuration is queue settings too (callers holding one compile)', () => {
    const config = loadBrandConfig(minimalBrand());
    const settings: QueueSettings = config;
    expect(settings.hours.human.returnToBotWhenOffline).toBe(true);
  });

  it('defaults the bot part when the document has none', () => {
    const settings = loadQueueSettings(brandWith((b) => delete b.bot));
    expect(settings.bot).toEqual({});
  });

  describe('accepts a brand whose bot part is broken, which the whole configuration refuses', () => {
    it.each<[string, (b: BrandConfigInput) => void, string]>([
      [
        'an intent reply over the text limit',
        (b) => (b.intents[0]!.replies.en!.text = x(BM_LIMITS.textChars + 1)),
        'intents[0].replies.en.text: must be at most 3072 characters (got 3073)',
      ],
      [
        'a greeting with an unknown placeholder',
        (b) => (b.greeting.default.en = { text: 'Welcome to {plaecName}!' }),
        'greeting.default.en.text: unknown placeholder {plaecName} (known: {brandName}, {placeName})',
      ],
      [
        'no greeting at all',
        (b) => delete (b as Partial<BrandConfigInput>).greeting,
        'greeting: Invalid input: expected object, received undefined',
      ],
      [
        'a broken bot schedule',
        (b) => (b.hours.bot.timeZone = 'Europe/Pariss'),
        'hours.bot.timeZone: unknown IANA time zone "Europe/Pariss"',
      ],
      [
        'a bot field of the wrong type',
        (b) => ((b.bot as Record<string, unknown>) = { typingIndicators: 'yes' }),
        'bot.typingIndicators: Invalid input: expected boolean, received string',
      ],
      [
        'no miss threshold',
        (b) => ((b.routing as Record<string, unknown>).missThreshold = undefined),
        'routing.missThreshold: Invalid input: expected number, received undefined',
      ],
      [
        'a misspelt field',
        (b) => ((b as Record<string, unknown>).greting = {}),
        'greting: unknown field',
      ],
    ])('%s', (_name, change, refused) => {
      const document = brandWith(change);
      expect(problemsOf(document)).toEqual([refused]);
      expect(() => loadBrandConfig(document)).toThrow(BrandConfigError);
      expect(queueProblemsOf(document)).toEqual([]);
    });

    it('leaves intent chips in the offline message to the bot’s check (it reads no intents)', () => {
      const document = brandWith(
        (b) =>
          (b.hours.human.offlineMessage.en = {
            text: 'Team offline.',
            suggestions: [chip('Menu', 'intent:menu')],
          }),
      );
      expect(problemsOf(document)).toEqual([
        'hours.human.offlineMessage.en.suggestions[0].reply.postbackData: no intent "menu"',
      ]);
      expect(queueProblemsOf(document)).toEqual([]);
    });
  });

  describe('refuses what the queue notice reads, naming the field, as the whole configuration does', () => {
    it.each<[string, (b: BrandConfigInput) => void, string]>([
      [
        'an unknown human time zone',
        (b) => (b.hours.human.timeZone = 'Mars/Olympus_Mons'),
        'hours.human.timeZone: unknown IANA time zone "Mars/Olympus_Mons"',
      ],
      [
        'a malformed human time range',
        (b) => (b.hours.human.weekly.mon = ['9-17']),
        'hours.human.weekly.mon[0]: expected HH:MM-HH:MM (24-hour, e.g. 08:30-18:00), got "9-17"',
      ],
      [
        'no returnToBotWhenOffline',
        (b) => ((b.hours.human as Record<string, unknown>).returnToBotWhenOffline = undefined),
        'hours.human.returnToBotWhenOffline: must be a boolean',
      ],
      [
        'an offline message without one of the locales',
        (b) => delete b.hours.human.offlineMessage.fr,
        'hours.human.offlineMessage.fr: missing the fr version',
      ],
      [
        'an offline message in a locale the brand does not have',
        (b) => (b.hours.human.offlineMessage.de = { text: 'Team abwesend.' }),
        'hours.human.offlineMessage.de: not one of locales (en, fr)',
      ],
      [
        'an offline message over the text limit',
        (b) => (b.hours.human.offlineMessage.en = { text: x(BM_LIMITS.textChars + 1) }),
        'hours.human.offlineMessage.en.text: must be at most 3072 characters (got 3073)',
      ],
      [
        'an offline message that breaks a limit once filled in',
        (b) => {
          b.places = { 'place-1': { name: { en: x(100), fr: 'Chez nous' } } };
          b.hours.human.offlineMessage.en = { text: `${x(3000)} {placeName}` };
        },
        'hours.human.offlineMessage.en.text: must be at most 3072 characters (got 3101) once placeholders are filled in',
      ],
      [
        'a default locale the brand does not have',
        (b) => (b.defaultLocale = 'de'),
        'defaultLocale: de is not one of locales (en, fr)',
      ],
      ['a repeated locale', (b) => (b.locales = ['en', 'fr', 'en']), 'locales: must not repeat'],
      [
        'a place not named in every locale',
        (b) => (b.places = { 'place-1': { name: { en: 'The canal' } } }),
        'places.place-1.name.fr: missing the fr version',
      ],
      [
        'a bot avatar that is not https',
        (b) => (b.bot = { avatarImage: 'http://example.com/a.png' }),
        'bot.avatarImage: expected an https URL',
      ],
      [
        'a dedicated flag that is not a boolean',
        (b) => ((b as Record<string, unknown>).dedicated = 'true'),
        'dedicated: Invalid input: expected boolean, received string',
      ],
      [
        'a schema version from the future',
        (b) => ((b as Record<string, unknown>).schemaVersion = 2),
        'schemaVersion: must be 1',
      ],
    ])('%s', (_name, change, problem) => {
      const document = brandWith(change);
      expect(queueProblemsOf(document)).toEqual([problem]);
      expect(problemsOf(document)).toEqual([problem]);
    });

    it('with the same BrandConfigError: the brand, every problem, permanent', () => {
      const document = brandWith((b) => {
        b.hours.human.timeZone = 'Mars/Olympus_Mons';
        b.hours.human.weekly.tue = ['18:00-09:00'];
      });
      let thrown: unknown;
      try {
        loadQueueSettings(document);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BrandConfigError);
      const error = thrown as BrandConfigError;
      expect(error.brandId).toBe(MINIMAL_BRAND_ID);
      expect(error.retryable).toBe(false);
      expect(error.message).toBe(
        'invalid brand configuration for test-brand:\n' +
          '  - hours.human.timeZone: unknown IANA time zone "Mars/Olympus_Mons"\n' +
          '  - hours.human.weekly.tue[0]: 18:00-09:00 closes before it opens (split a range across midnight into two days)',
      );
    });
  });
});
