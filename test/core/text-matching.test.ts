import {
  compilePattern,
  keywordProblem,
  keywordTokens,
  normalizeText,
  patternProblem,
  tokenize,
} from '../../functions/core/text-matching';

describe('normalizeText: accents folded only where they are accents', () => {
  it.each([
    [
      'Latin loses its diacritics and ligatures',
      'Cœur ÉLAN Straße, ça français',
      'coeur elan strasse, ca francais',
    ],
    ['Latin, decomposed', 'Re\u0301paration', 'reparation'],
    ['Greek loses its tonos; a final sigma is a sigma', 'ΟΔΌΣ Άλλη', 'οδοσ αλλη'],
    ['Cyrillic loses its diacritics', 'Ёлка', 'елка'],
    ['Arabic loses its optional vowel signs', 'نَعَم', 'نعم'],
    ['Hebrew loses its niqqud', 'שָׁלוֹם', 'שלום'],
    ['a dotted capital I is an i', 'İstanbul', 'istanbul'],
    [
      'typographic apostrophes become plain',
      'aujourd’hui quelqu´un lʼatelier',
      "aujourd'hui quelqu'un l'atelier",
    ],
    ['full-width forms are the ASCII ones', 'ＯＰＥＮ １２３', 'open 123'],
    ['half-width katakana are the full-width ones', 'ｺｰﾋｰ ｶﾞ', 'コーヒー ガ'],
  ])('%s', (_name, text, expected) => {
    expect(normalizeText(text)).toBe(expected);
  });

  it.each([
    ['Thai vowels and tone marks', 'ร้านเปิดกี่โมง'],
    ['Thai SARA AM, which NFKC would split', 'ร้านทำการวันไหน น้ำ'],
    ['Japanese dakuten (で is not て)', 'で'],
    ['Japanese', '営業時間は何時ですか'],
    ['Devanagari', 'दुकान कब खुलती है'],
    ['Hangul', '영업시간이 어떻게 되나요'],
    ['Chinese', '你们几点开门'],
  ])('keeps what makes a letter in other scripts: %s', (_name, text) => {
    expect(normalizeText(text)).toBe(text);
  });

  it('composes what arrives decomposed, so both spellings match', () => {
    expect(normalizeText('て\u3099')).toBe('で');
    expect(normalizeText('เป\u0E34ด')).toBe('เปิด');
    // SARA AM typed as NIKHAHIT + SARA AA.
    expect(normalizeText('ท\u0E4D\u0E32การ')).toBe('ทำการ');
  });
});

describe('tokenize: words by Intl.Segmenter, then split at punctuation', () => {
  it.each<[string, string, string[]]>([
    ['fr', "l'atelier, c'est où ?", ['l', 'atelier', 'c', 'est', 'ou']],
    ['fr', 'Ouvert aujourd’hui ? rendez-vous', ['ouvert', 'aujourd', 'hui', 'rendez', 'vous']],
    ['en', 'Open 9-17, 20h?', ['open', '9', '17', '20h']],
    ['th', 'ร้านเปิดกี่โมง', ['ร้าน', 'เปิด', 'กี่', 'โมง']],
    ['ja', '営業時間は何時ですか', ['営業', '時間', 'は', '何時', 'です', 'か']],
    ['zh', '你们几点开门？', ['你们', '几点', '开门']],
    ['ko', '영업시간이 어떻게 되나요?', ['영업시간이', '어떻게', '되나요']],
  ])('%s: %s', (locale, text, words) => {
    expect(tokenize(text, locale)).toEqual(words);
  });

  it('does not depend on the locale being known or well-formed', () => {
    const words = ['ร้าน', 'เปิด', 'กี่', 'โมง'];
    expect(tokenize('ร้านเปิดกี่โมง')).toEqual(words);
    expect(tokenize('ร้านเปิดกี่โมง', 'en-a1')).toEqual(words);
  });

  it('has no words in punctuation and spaces', () => {
    expect(tokenize('  ?! 。、 ', 'ja')).toEqual([]);
  });
});

describe('keywordTokens: a keyword cut as the text is', () => {
  it.each<[string, string, string[]]>([
    ['fr', "aujourd'hui", ['aujourd', 'hui']],
    ['fr', 'Répar*', ['repar*']],
    ['fr', 'location de vélo*', ['location', 'de', 'velo*']],
    ['ja', '営業時間', ['営業', '時間']],
    ['zh', '营业时间', ['营业', '时间']],
    ['th', 'เวลาทำการ', ['เวลา', 'ทำการ']],
  ])('%s: %s', (locale, keyword, words) => {
    expect(keywordTokens(keyword, locale)).toEqual(words);
  });
});

describe('keywordProblem and patternProblem: what a brand may write', () => {
  it.each([
    ['?!', 'a keyword needs at least one letter or digit'],
    ['。', 'a keyword needs at least one letter or digit'],
    ['ou*vert', '"*" may only end a word (ou*vert)'],
    ['ré*', 'a prefix needs at least 3 letters before "*" (re*)'],
    ['*', 'a prefix needs at least 3 letters before "*" (*)'],
  ])('refuses %s', (keyword, problem) => {
    expect(keywordProblem(keyword)).toBe(problem);
  });

  it.each(['répar*', "aujourd'hui", 'เปิด', '営業時間', '开门', 'ｺｰﾋｰ', 'Straße'])(
    'accepts %s',
    (keyword) => {
      expect(keywordProblem(keyword)).toBeUndefined();
    },
  );

  it('checks patterns as they will run', () => {
    expect(patternProblem('(open')).toMatch(/^not a valid regular expression: /);
    expect(patternProblem('x*')).toBe('matches the empty string, so it would match every message');
    expect(patternProblem('\\bà quelle heure\\b')).toBeUndefined();
  });

  it('folds a pattern like the text it is tried on, leaving case to the i flag', () => {
    expect(compilePattern('\\bÀ QUELLE\\b').test('a quelle heure')).toBe(true);
    expect(compilePattern('เปิด').test('เปด')).toBe(false);
    expect(compilePattern('\\W').test('a')).toBe(false);
  });
});
