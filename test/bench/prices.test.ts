import path from 'node:path';
import { loadPrices, Prices, unitPrice } from '../../functions/local/bench/prices';

const file = path.join(__dirname, '../../functions/local/bench/prices.json');

describe('the bench’s prices', () => {
  it('loads prices.json: every entry sourced, dated, free tier ignored', () => {
    const prices = loadPrices(file);
    for (const item of Object.values(prices.items)) {
      expect(item.freeTierIgnored).toBe(true);
      expect(item.source).toMatch(/^https:\/\/(cloud|firebase)\.google\.com\//);
      expect(item.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(prices.items.pubsubThroughput.minimumBytesPerRequest).toBe(1000);
    // A price per unit, not rounded: $40 per TiB is 40 / 2^40 per byte.
    expect(unitPrice(prices, 'pubsubThroughput')).toBe(40 / 2 ** 40);
  });

  it('refuses an entry without its source, or one that counts a free tier', () => {
    const prices = loadPrices(file);
    const { source: _source, ...unsourced } = prices.items.firestoreRead;
    expect(
      Prices.safeParse({ ...prices, items: { ...prices.items, firestoreRead: unsourced } }).success,
    ).toBe(false);
    expect(
      Prices.safeParse({
        ...prices,
        items: {
          ...prices.items,
          logIngestion: { ...prices.items.logIngestion, freeTierIgnored: false },
        },
      }).success,
    ).toBe(false);
  });
});
