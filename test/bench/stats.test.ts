import { median, percentile, perUnit, ratio, round } from '../../functions/local/bench/stats';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 99)).toBe(5);
    expect(percentile(values, 0)).toBe(1);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(99);
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile(values, 101)).toThrow(RangeError);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('takes medians of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('divides only what can be divided', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(null, 2)).toBeUndefined();
    expect(perUnit(12, 4)).toBe(3);
    expect(perUnit(12, 0)).toBeUndefined();
  });

  it('rounds for JSON, with null for what is missing', () => {
    expect(round(1.2345, 2)).toBe(1.23);
    expect(round(undefined)).toBeNull();
    expect(round(Number.NaN)).toBeNull();
  });
});
