import type { BrandConfig, BrandConfigInput } from '../../functions/core/brand-config';
import { loadBrandConfig } from '../../functions/core/brand-config';
import { matchIntent } from '../../functions/core/keyword-matcher';
import { chooseLocale } from '../../functions/core/locale';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import { normalizeText, tokenize } from '../../functions/core/text-matching';
import { keywordIntentMatcher } from '../../functions/ports/intent-matcher';
import { multilingualBrandDocument } from '../automation/multilingual-brand';
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

describe('matchIntent in languages written without spaces (th, ja, zh)', () => {
  const multilingual = loadBrandConfig(multilingualBrandDocument());

  it.each<[string, string, string | undefined]>([
    ['th', 'ร้านเปิดกี่โมง', 'hours'],
    ['th', 'ร้านทำการกี่โมงครับ', 'hours'],
    ['th', 'ร้านอยู่ที่ไหนครับ', 'location'],
    ['th', 'กาแฟราคาเท่าไหร่', 'prices'],
    ['th', 'ขอบคุณมากครับ', 'thanks'],
    ['th', 'วันนี้อากาศดีไหม', undefined],
    ['ja', '営業時間は何時ですか', 'hours'],
    ['ja', 'お店は何時に開きますか', 'hours'],
    ['ja', 'お店の場所はどこですか', 'location'],
    ['ja', 'ｺｰﾋｰはいくらですか', 'prices'],
    ['ja', '自転車の修理を予約したいです', 'repair-booking'],
    ['ja', 'ありがとうございます', 'thanks'],
    ['ja', '天気はどうですか', undefined],
    ['zh', '你们几点开门', 'hours'],
    ['zh', '你们几点开门？', 'hours'],
    ['zh', '你們的營業時間是什麼', 'hours'],
    ['zh', '地址在哪里', 'location'],
    ['zh', '咖啡多少钱', 'prices'],
    ['zh', '谢谢！', 'thanks'],
    ['zh', '今天天气怎么样', undefined],
  ])('%s: %s → %s', (locale, text, intentId) => {
    expect(matchIntent(text, locale, multilingual)?.intentId).toBe(intentId);
  });

  /** The multilingual brand with one more intent, `extra`, listed first. */
  function withExtra(locale: string, keywords: string[]): BrandConfig {
    const document = multilingualBrandDocument();
    const replies = document.intents[0]!.replies;
    document.intents.unshift({ id: 'extra', match: { [locale]: { keywords } }, replies });
    return loadBrandConfig(document);
  }

  it('matches a keyword the segmenter cuts in several words only on those words in a row', () => {
    // 営業時間 is cut 営業 + 時間: two of the three words of 営業時間は.
    expect(matchIntent('営業時間は？', 'ja', multilingual)).toEqual({
      intentId: 'hours',
      confidence: 0.67,
    });
    expect(matchIntent('営業の時間', 'ja', multilingual)).toBeUndefined();
  });

  it('keeps the marks that make a letter: で is not て, ไม้ (wood) is not ไม่ (not)', () => {
    const key = withExtra('ja', ['かぎ']);
    expect(matchIntent('かぎをなくしました', 'ja', key)?.intentId).toBe('extra');
    expect(matchIntent('かきを食べたい', 'ja', key)).toBeUndefined();
    const wood = withExtra('th', ['ไม้']);
    expect(matchIntent('ขายไม้ไหม', 'th', wood)?.intentId).toBe('extra');
    expect(matchIntent('ไม่เป็นไร', 'th', wood)).toBeUndefined();
  });

  it('reads full-width Latin as Latin', () => {
    expect(matchIntent('ＯＰＥＮ on Sunday?', 'en', multilingual)?.intentId).toBe('hours');
  });

  it("tries the brand's other locales when the customer's locale has no match", () => {
    // A Japanese phone, a Chinese sentence: 几点 and 开门 are zh keywords, 2 of 3 words, halved.
    expect(matchIntent('你们几点开门', 'ja', multilingual)).toEqual({
      intentId: 'hours',
      confidence: 0.33,
    });
  });
});

describe('matchIntent keeps French elisions', () => {
  it.each<[string, string]>([
    ["L'atelier est ouvert ?", 'atelier'],
    ['Vos heures d’ouverture ?', "heures d'ouverture"],
    ["C'est ouvert aujourd’hui ?", "aujourd'hui"],
  ])('%s matches %s', (text, keyword) => {
    const brand = brandMatching([{ id: 'hours', keywords: ['nothing'], fr: [keyword] }]);
    expect(matchIntent(text, 'fr', brand)?.intentId).toBe('hours');
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
