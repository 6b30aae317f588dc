import {
  MAX_ATTRIBUTE_BYTES,
  capAttributeValues,
  truncateUtf8,
  utf8Length,
} from '../../functions/core/utf8';

const SAMPLES = ['', 'plain ascii', 'Vélo Café', '中文字符', 'emoji 🚲🚲', 'lone \ud800 surrogate'];

describe('utf8Length', () => {
  it.each(SAMPLES)('counts %j as Buffer does', (text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });
});

describe('truncateUtf8', () => {
  it('keeps what fits, whole', () => {
    expect(truncateUtf8('Vélo Café', 100)).toBe('Vélo Café');
    expect(truncateUtf8('abc', 3)).toBe('abc');
  });

  it.each([
    ['é'.repeat(1000), 1024, 'é'.repeat(512)],
    ['中'.repeat(1000), 1024, '中'.repeat(341)],
    ['a🚲', 4, 'a'],
    ['🚲🚲', 7, '🚲'],
  ])('cuts %#: at most the limit, never inside a character', (text, max, expected) => {
    const cut = truncateUtf8(text, max);
    expect(cut).toBe(expected);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(max);
    // Nothing was replaced: the cut is a prefix of whole characters.
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
  });
});

describe('capAttributeValues', () => {
  it('cuts every value to Pub/Sub’s 1024 bytes', () => {
    const capped = capAttributeValues({ short: 'x', long: 'é'.repeat(2000) });
    expect(capped.short).toBe('x');
    expect(Buffer.byteLength(capped.long ?? '', 'utf8')).toBe(MAX_ATTRIBUTE_BYTES);
  });
});
