import { withoutUndefined } from '../../functions/core/defined-fields';

describe('withoutUndefined', () => {
  it('leaves out undefined fields at every depth, keeping null, arrays and class instances', () => {
    const at = new Date('2026-11-29T00:00:00.000Z');
    expect(
      withoutUndefined({
        a: 1,
        b: undefined,
        c: null,
        d: { e: undefined, f: [{ g: undefined, h: 'x' }] },
        at,
      }),
    ).toEqual({ a: 1, c: null, d: { f: [{ h: 'x' }] }, at });
    const out = withoutUndefined({ at });
    expect(out.at).toBe(at);
    expect(Object.keys(withoutUndefined({ x: undefined }))).toEqual([]);
  });
});
