import {
  median,
  medianWithInterval,
  pairedRatio,
  percentile,
  perUnit,
  ratio,
  round,
} from '../../functions/local/bench/stats';

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

  it('gives the median an order-statistic interval of at least the confidence asked', () => {
    const nine = [9, 1, 8, 2, 7, 3, 6, 4, 5];
    // 9 values: the 2nd and 8th, covering the median with 1 − 2 · 10/512.
    expect(medianWithInterval(nine)).toEqual({
      median: 5,
      low: 2,
      high: 8,
      confidence: 1 - (2 * 10) / 512,
    });
    // 25 values: the 8th and the 18th (95.7 %), the textbook interval.
    const estimate = medianWithInterval(Array.from({ length: 25 }, (_, i) => 25 - i));
    expect(estimate).toMatchObject({ median: 13, low: 8, high: 18 });
    expect(estimate?.confidence).toBeCloseTo(0.9567, 4);
    // Too few for 95 %: the whole range, with what it really covers.
    expect(medianWithInterval([3, 1, 2])).toEqual({
      median: 2,
      low: 1,
      high: 3,
      confidence: 0.75,
    });
    expect(medianWithInterval([])).toBeUndefined();
  });

  it('takes the median of ratios pair by pair, not the ratio of medians', () => {
    // A machine whose speed drifts: each pair ran at its own speed.
    const floor = [100, 200, 100, 200, 150];
    const fn = [115, 210, 105, 230, 150];
    // Pairs: 1.15, 1.05, 1.05, 1.15, 1.00. (The ratio of the medians, 150 / 150, would say 1.)
    expect(pairedRatio(fn, floor)?.median).toBeCloseTo(1.05, 10);
    expect(pairedRatio([110, 120], [100, 0])?.median).toBeCloseTo(1.1, 10);
    expect(pairedRatio([], [])).toBeUndefined();
  });
});
