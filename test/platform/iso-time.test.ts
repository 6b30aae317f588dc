import { isoTimestamp } from '../../functions/platform/iso-time';

/** The fast path must print exactly what `toISOString` prints, across days and odd dates. */
describe('isoTimestamp', () => {
  it('is toISOString for times within a day, across midnight and across years', () => {
    const starts = [
      Date.UTC(2026, 10, 30, 23, 59, 59, 998),
      Date.UTC(2024, 1, 29, 0, 0, 0, 0),
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(-1, 0, 1),
      Date.UTC(10000, 0, 1),
    ];
    for (const start of starts) {
      for (const step of [0, 1, 7, 999, 1000, 59_999, 3_600_000, 86_399_999, 86_400_000]) {
        const date = new Date(start + step);
        expect(isoTimestamp(date)).toBe(date.toISOString());
      }
    }
  });

  it('is toISOString for runs of nearby instants and jumps between far ones (the cached day)', () => {
    const DAY = 86_400_000;
    const instants = [0, -1, DAY - 1, DAY, -DAY - 1, 8.64e15, -8.64e15];
    let seed = 11;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const base = instants[seed % instants.length] ?? 0;
      instants.push(Math.max(-8.64e15, Math.min(8.64e15, base + (seed % (3 * DAY)) - DAY)));
    }
    for (const ms of instants) {
      const date = new Date(ms);
      expect(isoTimestamp(date)).toBe(date.toISOString());
    }
  });

  it('throws RangeError for an invalid date, as toISOString does', () => {
    expect(() => isoTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});
