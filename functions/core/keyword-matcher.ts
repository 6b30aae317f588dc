import type { BrandConfig, IntentMatchRules } from './brand-config';
import { compilePattern, keywordTokens, tokenize, wordMatches } from './text-matching';

/**
 * The default intent matcher: keywords and regular expressions from the brand configuration.
 *
 * Text and keywords are compared as `text-matching` normalises and cuts them: accent- and
 * case-insensitively where accents are accents (`Réparation` = `reparation`, but `で` ≠ `て`), on
 * word boundaries found by `Intl.Segmenter`, so languages written without spaces have words too
 * (`开门` in `你们几点开门`). `open` does not match `opener`; a trailing `*` makes a prefix:
 * `répar*` matches `réparer` and `réparation`. A keyword of several words, or one the segmenter
 * cuts in several (`営業時間` → `営業`, `時間`), must match as many consecutive words. Each intent
 * scores the number of words its matching keywords and patterns cover; the best score wins and
 * a tie goes to the intent listed first. When nothing in the customer's locale matches, the
 * brand's other locales are tried at half confidence (a French sentence typed on an English
 * phone still finds its answer).
 */

export interface IntentMatch {
  intentId: string;
  /** 0..1: the share of the customer's words the winning intent covered. */
  confidence: number;
}

interface CompiledIntent {
  intentId: string;
  keywords: string[][];
  patterns: RegExp[];
}

const compiled = new WeakMap<BrandConfig, Map<string, CompiledIntent[]>>();

function intentsFor(brand: BrandConfig, locale: string): CompiledIntent[] {
  let byLocale = compiled.get(brand);
  if (!byLocale) {
    byLocale = new Map();
    compiled.set(brand, byLocale);
  }
  let intents = byLocale.get(locale);
  if (!intents) {
    intents = brand.intents.flatMap((intent) => {
      const rules: IntentMatchRules | undefined = intent.match?.[locale];
      if (!rules) return [];
      return [
        {
          intentId: intent.id,
          // Cut in the rules' own locale, as their author wrote them.
          keywords: (rules.keywords ?? [])
            .map((keyword) => keywordTokens(keyword, locale))
            .filter((k) => k.length > 0),
          patterns: (rules.patterns ?? []).map(compilePattern),
        },
      ];
    });
    byLocale.set(locale, intents);
  }
  return intents;
}

function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  for (let start = 0; start + phrase.length <= words.length; start++) {
    if (phrase.every((k, j) => wordMatches(words[start + j] ?? '', k))) return true;
  }
  return false;
}

/** Words a pattern's match covers in the space-joined words (a part of a word counts as one). */
const wordsIn = (matched: string): number => matched.split(' ').filter((w) => w !== '').length;

function scoreOf(intent: CompiledIntent, words: string[], joined: string): number {
  let score = 0;
  for (const phrase of intent.keywords) if (containsPhrase(words, phrase)) score += phrase.length;
  for (const pattern of intent.patterns) {
    const m = pattern.exec(joined);
    if (m) score += Math.max(1, wordsIn(m[0]));
  }
  return score;
}

function bestIn(brand: BrandConfig, locale: string, words: string[], joined: string) {
  let best: { intentId: string; score: number } | undefined;
  for (const intent of intentsFor(brand, locale)) {
    const score = scoreOf(intent, words, joined);
    // Strictly greater: on a tie the intent listed first keeps the lead.
    if (score > 0 && (best === undefined || score > best.score)) {
      best = { intentId: intent.intentId, score };
    }
  }
  return best;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The intent `text` asks for in `locale`, or undefined (a miss). */
export function matchIntent(
  text: string,
  locale: string,
  brand: BrandConfig,
): IntentMatch | undefined {
  const words = tokenize(text, locale);
  if (words.length === 0) return undefined;
  // What patterns are tried on: the words, normalised, joined by single spaces.
  const joined = words.join(' ');
  const share = (score: number) => Math.min(1, score / words.length);

  const own = bestIn(brand, locale, words, joined);
  if (own) return { intentId: own.intentId, confidence: round(share(own.score)) };
  for (const other of brand.locales) {
    if (other === locale) continue;
    const found = bestIn(brand, other, words, joined);
    if (found) return { intentId: found.intentId, confidence: round(share(found.score) / 2) };
  }
  return undefined;
}
