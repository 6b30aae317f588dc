import type { BrandConfig, IntentMatchRules } from './brand-config';

/**
 * The default intent matcher: keywords and regular expressions from the brand configuration.
 *
 * Text and keywords are compared accent- and case-insensitively (`Réparation` = `reparation`),
 * on word boundaries (`open` does not match `opener`; a trailing `*` makes a prefix: `répar*`
 * matches `réparer` and `réparation`). Each intent scores the number of words its matching
 * keywords and patterns cover; the best score wins and a tie goes to the intent listed first.
 * When nothing in the customer's locale matches, the brand's other locales are tried at half
 * confidence (a French sentence typed on an English phone still finds its answer).
 */

export interface IntentMatch {
  intentId: string;
  /** 0..1: the share of the customer's words the winning intent covered. */
  confidence: number;
}

/** Lower case, accents and ligatures removed: `Cœur Élan` → `coeur elan`. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .replace(/ß/g, 'ss')
    .toLowerCase();
}

/** Words of `text`, normalized; apostrophes and punctuation separate (`l'atelier` → l, atelier). */
export function tokenize(text: string): string[] {
  return normalizeText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '');
}

const keywordTokens = (keyword: string): string[] =>
  normalizeText(keyword)
    .split(/[^\p{L}\p{N}*]+/u)
    .filter((t) => t !== '');

/** Why a keyword cannot work, or undefined. */
export function keywordProblem(keyword: string): string | undefined {
  const tokens = keywordTokens(keyword);
  if (tokens.length === 0) return 'a keyword needs at least one letter or digit';
  for (const token of tokens) {
    const star = token.indexOf('*');
    if (star >= 0 && star !== token.length - 1) return `"*" may only end a word (${token})`;
    if (star >= 0 && star < 3) return `a prefix needs at least 3 letters before "*" (${token})`;
  }
  return undefined;
}

const compilePattern = (source: string): RegExp =>
  new RegExp(source.normalize('NFKD').replace(/\p{M}+/gu, ''), 'iu');

/** Why a pattern cannot work, or undefined. */
export function patternProblem(pattern: string): string | undefined {
  let re: RegExp;
  try {
    re = compilePattern(pattern);
  } catch (error) {
    return `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (re.test('')) return 'matches the empty string, so it would match every message';
  return undefined;
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
          keywords: (rules.keywords ?? []).map(keywordTokens).filter((k) => k.length > 0),
          patterns: (rules.patterns ?? []).map(compilePattern),
        },
      ];
    });
    byLocale.set(locale, intents);
  }
  return intents;
}

const tokenMatches = (word: string, keyword: string): boolean =>
  keyword.endsWith('*') ? word.startsWith(keyword.slice(0, -1)) : word === keyword;

function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  for (let start = 0; start + phrase.length <= words.length; start++) {
    if (phrase.every((k, j) => tokenMatches(words[start + j] ?? '', k))) return true;
  }
  return false;
}

function scoreOf(intent: CompiledIntent, words: string[], normalized: string): number {
  let score = 0;
  for (const phrase of intent.keywords) if (containsPhrase(words, phrase)) score += phrase.length;
  for (const pattern of intent.patterns) {
    const m = pattern.exec(normalized);
    if (m) score += Math.max(1, tokenize(m[0]).length);
  }
  return score;
}

function bestIn(brand: BrandConfig, locale: string, words: string[], normalized: string) {
  let best: { intentId: string; score: number } | undefined;
  for (const intent of intentsFor(brand, locale)) {
    const score = scoreOf(intent, words, normalized);
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
  const words = tokenize(text);
  if (words.length === 0) return undefined;
  const normalized = words.join(' ');
  const share = (score: number) => Math.min(1, score / words.length);

  const own = bestIn(brand, locale, words, normalized);
  if (own) return { intentId: own.intentId, confidence: round(share(own.score)) };
  for (const other of brand.locales) {
    if (other === locale) continue;
    const found = bestIn(brand, other, words, normalized);
    if (found) return { intentId: found.intentId, confidence: round(share(found.score) / 2) };
  }
  return undefined;
}
