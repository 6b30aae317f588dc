/**
 * The text syntax shared by the intent matcher, brand validation and routing: how text is
 * normalised, cut into words, and what a keyword or pattern may say. A leaf module (it imports
 * nothing), so `brand-config` and `keyword-matcher` can both depend on it without a cycle.
 *
 * "Accent-insensitive" means one thing everywhere, `normalizeText`:
 * - compatibility forms are unified (NFKC: `ＯＰＥＮ` = `open`, `ｺｰﾋｰ` = `コーヒー`);
 * - Latin, Greek, Cyrillic, Arabic and Hebrew letters lose their combining marks (`é` = `e`,
 *   `ά` = `α`, `ё` = `е`, Arabic harakat, Hebrew niqqud): there a mark is an accent or an optional
 *   vowel sign, and customers type with or without it;
 * - every other script keeps its marks: in Thai, Devanagari, kana… a mark is part of the letter
 *   (`เปิด` is not `เปด`, `で` is not `て`);
 * - case, the ligatures œ æ ß and typographic apostrophes are folded.
 *
 * Words come from `Intl.Segmenter` (ICU word boundaries, with dictionaries for scripts written
 * without spaces: Thai, Japanese, Chinese, Khmer, Lao, Burmese), then split again at anything
 * that is not a letter, mark or digit, so apostrophes and hyphens separate (`l'atelier` → `l`,
 * `atelier`).
 */

/** Apostrophe look-alikes customers type for `'` (`aujourd’hui`, `quelqu´un`). */
const APOSTROPHES = /[\u2018\u2019\u02bc\u0060\u00b4]/g;

/**
 * Thai and Lao SARA AM (`ำ`, `ຳ`) as NFKC splits them: NIKHAHIT + SARA AA. Rejoined, because the
 * word dictionaries only know the one character (`ทำการ` cut as `ทํา`, `การ` otherwise); both
 * ways of typing it then read the same.
 */
const SPLIT_SARA_AM: readonly [RegExp, string][] = [
  [/\u0e4d\u0e32/g, '\u0e33'],
  [/\u0ecd\u0eb2/g, '\u0eb3'],
];

/**
 * A letter of a script whose combining marks are accents or optional vowel signs, and those
 * marks. Run on NFD text, where a letter's marks directly follow it.
 */
const FOLDED_MARKS =
  /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Arabic}\p{Script=Hebrew}])\p{M}+/gu;

/**
 * `text` with compatibility forms unified and accents removed where they are accents; case is
 * lowered unless `keepCase`: for a regular expression's source, where lowering would turn `\W`
 * into `\w` (the `i` flag ignores case instead).
 */
function fold(text: string, keepCase: boolean): string {
  const compatible = SPLIT_SARA_AM.reduce(
    (s, [split, joined]) => s.replace(split, joined),
    text.replace(APOSTROPHES, "'").normalize('NFKC'),
  );
  // Lowered before the marks go: `İ` lowers to `i` + a combining dot, which then goes too.
  const cased = keepCase ? compatible : compatible.toLowerCase();
  const folded = cased.normalize('NFD').replace(FOLDED_MARKS, '$1').normalize('NFC');
  return folded
    .replace(/œ/g, 'oe')
    .replace(/Œ/g, 'OE')
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .replace(/ß/g, 'ss')
    .replace(/ẞ/g, 'SS')
    .replace(/ς/g, 'σ');
}

/** Lower case, accents and ligatures folded: `Cœur Élan` → `coeur elan`; `เปิด`, `で` unchanged. */
export function normalizeText(text: string): string {
  return fold(text, false);
}

// ---------------------------------------------------------------------------------------------
// Words

/** A run of letters (with their marks) and digits: what a word is once punctuation is gone. */
const WORD_RUN = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * ICU's root word rules, for a missing or unusable locale. A fixed tag rather than the host's
 * default keeps the core's answers the same on every machine; the dictionaries for Thai,
 * Japanese and Chinese apply in every locale.
 */
const ROOT_LOCALE = 'en';

/** One per locale asked for: the brands' locales, a handful. */
const segmenters = new Map<string, Intl.Segmenter>();

function segmenterFor(locale: string | undefined): Intl.Segmenter {
  const key = locale ?? ROOT_LOCALE;
  let segmenter = segmenters.get(key);
  if (!segmenter) {
    try {
      segmenter = new Intl.Segmenter(key, { granularity: 'word' });
    } catch {
      // A malformed tag (RangeError): the words are still there to find.
      segmenter = new Intl.Segmenter(ROOT_LOCALE, { granularity: 'word' });
    }
    segmenters.set(key, segmenter);
  }
  return segmenter;
}

interface Word {
  word: string;
  /** Offset just past the word in the normalised text. */
  end: number;
}

function wordsOf(normalized: string, locale: string | undefined): Word[] {
  const words: Word[] = [];
  for (const { segment, index } of segmenterFor(locale).segment(normalized)) {
    for (const run of segment.matchAll(WORD_RUN)) {
      words.push({ word: run[0], end: index + run.index + run[0].length });
    }
  }
  return words;
}

/**
 * Words of `text` in `locale` (a BCP 47 tag), normalised: `l'atelier, c'est où ?` → `l`,
 * `atelier`, `c`, `est`, `ou`; `ร้านเปิดกี่โมง` → `ร้าน`, `เปิด`, `กี่`, `โมง`.
 */
export function tokenize(text: string, locale?: string): string[] {
  return wordsOf(normalizeText(text), locale).map(({ word }) => word);
}

/**
 * A keyword as the words it must match in a row, cut as the customer's text is: `営業時間` →
 * `営業`, `時間`. A word directly followed by `*` keeps it and matches as a prefix.
 */
export function keywordTokens(keyword: string, locale?: string): string[] {
  const normalized = normalizeText(keyword);
  return wordsOf(normalized, locale).map(({ word, end }) =>
    normalized[end] === '*' ? `${word}*` : word,
  );
}

/** Whether a customer's word matches a keyword word (`répar*` is a prefix). */
export const wordMatches = (word: string, keywordWord: string): boolean =>
  keywordWord.endsWith('*') ? word.startsWith(keywordWord.slice(0, -1)) : word === keywordWord;

// ---------------------------------------------------------------------------------------------
// What a brand may write

/** Shorter prefixes match too much (`re*` would take `rendez-vous` and `reparer` alike). */
const MIN_PREFIX_LETTERS = 3;

/** Why a keyword cannot work, or undefined. */
export function keywordProblem(keyword: string): string | undefined {
  const normalized = normalizeText(keyword);
  for (const run of normalized.split(/[^\p{L}\p{M}\p{N}*]+/u)) {
    const star = run.indexOf('*');
    if (star < 0) continue;
    if (star !== run.length - 1) return `"*" may only end a word (${run})`;
    const letters = run.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
    if (letters < MIN_PREFIX_LETTERS) {
      return `a prefix needs at least ${MIN_PREFIX_LETTERS} letters before "*" (${run})`;
    }
  }
  if (!/[\p{L}\p{N}]/u.test(normalized)) return 'a keyword needs at least one letter or digit';
  return undefined;
}

/**
 * A brand's pattern, folded like the text it is tried on (accents, compatibility forms); case
 * is left to the `i` flag.
 */
export const compilePattern = (source: string): RegExp => new RegExp(fold(source, true), 'iu');

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
