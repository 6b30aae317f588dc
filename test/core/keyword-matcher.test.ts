import type { BrandConfig, BrandConfigInput } from '../../functions/core/brand-config';
import { loadBrandConfig } from '../../functions/core/brand-config';
import { matchIntent, normalizeText, tokenize } from '../../functions/core/keyword-matcher';
import { chooseLocale } from '../../functions/core/locale';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import { keywordIntentMatcher } from '../../functions/ports/intent-matcher';
import { minimalBrand } from '../fixtures/brands/minimal-brand';

const sample = loadBrandConfig(sampleBrandDocument());

/** A brand whose intents match as given (English and French rules alike). */
function brandMatching(
  rules: { id: string; keywords?: string[]; patterns?: string[]; fr?: string[] }[],
): BrandConfig {
  const b: BrandConfigInput = minimalBrand();
  const reply = { en: { text: 'ok' }, fr: { text: 'ok' } };
  b.intents = rules.map(({ id, keywords, patterns, fr }) => ({
    id,
    match: {
      en: { ...(keywords ? { keywords } : {}), ...(patterns ? { patterns } : {}) },
      ...(fr ? { fr: { keywords: fr } } : {}),
    },
    replies: reply,
  }));
  b.intents.push({ id: 'prices', replies: reply });
  return loadBrandConfig(b);
}

describe('the sample brand understands its customers (intents × locales)', () => {
  it.each<[string, string, string | undefined]>([
    ['en', 'What are your opening hours?', 'hours'],
    ['en', 'Are you open on Sunday?', 'hours'],
    ['en', 'Hello, are you open on Sunday?', 'hours'],
    ['en', 'what time do you close', 'hours'],
    ['en', 'Where are you?', 'location'],
    ['en', "What's your address", 'location'],
    ['en', 'How much is a cappuccino?', 'prices'],
    ['en', 'Do you rent bikes?', 'prices'],
    ['en', 'My tyre is flat, can you fix it?', 'repair-booking'],
    ['en', 'I want to book a repair', 'repair-booking'],
    ['en', 'Thanks!', 'thanks'],
    ['en', 'hello', 'hello'],
    ['en', 'What is the meaning of life', undefined],
    ['fr', 'Quels sont vos horaires ?', 'hours'],
    ['fr', 'Vous êtes ouverts dimanche ?', 'hours'],
    ['fr', 'À quelle heure fermez-vous ?', 'hours'],
    ['fr', 'Où êtes-vous ?', 'location'],
    ['fr', "C'est quoi l'adresse ?", 'location'],
    ['fr', 'Combien coûte un cappuccino ?', 'prices'],
    ['fr', 'Je voudrais louer un vélo', 'prices'],
    ['fr', 'Ma roue est crevée, vous pouvez la réparer ?', 'repair-booking'],
    ['fr', 'Je veux prendre rendez-vous pour une révision', 'repair-booking'],
    ['fr', 'RÉPARATION', 'repair-booking'],
    ['fr', 'reparation', 'repair-booking'],
    ['fr', 'Merci beaucoup', 'thanks'],
    ['fr', 'Bonjour', 'hello'],
    ['fr', 'Quel temps fait-il ?', undefined],
  ])('%s: %s → %s', (locale, text, intentId) => {
    expect(matchIntent(text, locale, sample)?.intentId).toBe(intentId);
  });
});

describe('matchIntent', () => {
  it('ignores case, accents and ligatures', () => {
    const brand = brandMatching([{ id: 'eggs', keywords: ['œufs brouillés'] }]);
    expect(matchIntent('OEUFS BROUILLES please', 'en', brand)?.intentId).toBe('eggs');
    expect(normalizeText('Cœur ÉLAN Straße')).toBe('coeur elan strasse');
  });

  it('matches whole words only', () => {
    const brand = brandMatching([{ id: 'hours', keywords: ['open'] }]);
    expect(matchIntent('is it open?', 'en', brand)?.intentId).toBe('hours');
    expect(matchIntent('I need a bottle opener', 'en', brand)).toBeUndefined();
    expect(matchIntent('did you reopen', 'en', brand)).toBeUndefined();
  });

  it('matches phrases word for word, apostrophes and hyphens splitting words', () => {
    const brand = brandMatching([{ id: 'today', keywords: ["aujourd'hui", 'rendez-vous'] }]);
    expect(matchIntent('Ouvert aujourd’hui ?', 'en', brand)?.intentId).toBe('today');
    expect(matchIntent('un rendez vous', 'en', brand)?.intentId).toBe('today');
    expect(matchIntent('rendez-nous visite', 'en', brand)).toBeUndefined();
  });

  it('treats a trailing * as a prefix', () => {
    const brand = brandMatching([{ id: 'repair', keywords: ['répar*'] }]);
    expect(matchIntent('vous réparez les freins ?', 'en', brand)?.intentId).toBe('repair');
    expect(matchIntent('une réparation', 'en', brand)?.intentId).toBe('repair');
    expect(matchIntent('une paire de gants', 'en', brand)).toBeUndefined();
  });

  it('lets the best score win: each matching keyword counts its words', () => {
    const brand = brandMatching([
      { id: 'coffee', keywords: ['coffee'] },
      { id: 'coffee-prices', keywords: ['coffee price', 'price'] },
    ]);
    expect(matchIntent('coffee price?', 'en', brand)).toEqual({
      intentId: 'coffee-prices',
      confidence: 1,
    });
  });

  it('breaks a tie by the order of the configuration', () => {
    const first = brandMatching([
      { id: 'bikes', keywords: ['bike'] },
      { id: 'rentals', keywords: ['bike'] },
    ]);
    const second = brandMatching([
      { id: 'rentals', keywords: ['bike'] },
      { id: 'bikes', keywords: ['bike'] },
    ]);
    expect(matchIntent('bike', 'en', first)?.intentId).toBe('bikes');
    expect(matchIntent('bike', 'en', second)?.intentId).toBe('rentals');
  });

  it('tries patterns on the normalized words, accent-insensitively', () => {
    const brand = brandMatching([{ id: 'hours', patterns: ['\\bà quelle heure\\b'] }]);
    expect(matchIntent('A QUELLE HEURE ?', 'en', brand)).toEqual({
      intentId: 'hours',
      confidence: 1,
    });
  });

  it('reports the share of words covered as confidence', () => {
    const brand = brandMatching([{ id: 'hours', keywords: ['open'] }]);
    expect(matchIntent('are you open', 'en', brand)?.confidence).toBe(0.33);
  });

  it("tries the brand's other locales at half confidence when the customer's has no match", () => {
    const brand = brandMatching([{ id: 'hours', keywords: ['hours'], fr: ['horaires'] }]);
    expect(matchIntent('horaires', 'fr', brand)).toEqual({ intentId: 'hours', confidence: 1 });
    expect(matchIntent('hours', 'fr', brand)).toEqual({ intentId: 'hours', confidence: 0.5 });
  });

  it('has nothing to match in an empty text', () => {
    expect(matchIntent('  ?! ', 'en', sample)).toBeUndefined();
    expect(tokenize("l'atelier, c'est où ?")).toEqual(['l', 'atelier', 'c', 'est', 'ou']);
  });

  it('is the default IntentMatcher', async () => {
    await expect(keywordIntentMatcher.match('Bonjour', 'fr', sample)).resolves.toEqual({
      intentId: 'hello',
      confidence: 1,
    });
  });
});

describe('chooseLocale', () => {
  const brand = ['en', 'fr'];
  it.each<[string, (string | undefined)[], string]>([
    ['resolvedLocale first', ['fr', 'en-GB'], 'fr'],
    ['a regional variant takes its language', ['fr-CA'], 'fr'],
    ['case and underscores do not matter', ['FR_ca'], 'fr'],
    ['an unsupported candidate gives way to the next', ['de', 'en-GB'], 'en'],
    ['missing candidates are skipped', [undefined, '', 'en'], 'en'],
    ['nothing usable: the default', ['de-AT', 'ja'], 'fr'],
  ])('%s', (_name, candidates, expected) => {
    expect(chooseLocale(brand, candidates, 'fr')).toBe(expected);
  });

  it('prefers an exact regional locale over the language', () => {
    expect(chooseLocale(['fr', 'fr-CA'], ['fr-ca'], 'fr')).toBe('fr-CA');
    expect(chooseLocale(['fr-CA', 'en'], ['fr-FR'], 'en')).toBe('fr-CA');
  });
});
