import { ownerOf, summarise, type CpuProfile } from '../../functions/local/bench/profile-summary';

describe('CPU profile summary', () => {
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 10_000,
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4] },
      {
        id: 2,
        callFrame: {
          functionName: 'handler',
          url: 'file:///app/dist/functions/webhook/handler.js',
          lineNumber: 9,
        },
        children: [3],
      },
      {
        id: 3,
        callFrame: { functionName: 'parse', url: '/app/node_modules/zod/index.cjs', lineNumber: 0 },
      },
      { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
    ],
    samples: [2, 3, 3, 4],
    timeDeltas: [1000, 2000, 3000, 4000],
  };

  it('adds self time per function and per owner, and inclusive time up the stack', () => {
    const s = summarise(profile);
    expect(s.totalMs).toBe(10);
    expect(s.selfByOwner).toEqual([
      { label: 'zod', ms: 5 },
      { label: '(garbage collector)', ms: 4 },
      { label: 'bm-pipeline (dist/functions)', ms: 1 },
    ]);
    expect(s.inclusive.find((t) => t.label.startsWith('handler'))?.ms).toBe(6);
    expect(s.selfByFunction[0]).toEqual({ label: 'parse zod/index.cjs:1', ms: 5 });
  });

  it('says where code lives', () => {
    expect(ownerOf('node:internal/modules/cjs/loader', 'wrapSafe')).toBe('node (internal)');
    expect(ownerOf('', 'writev')).toBe('(native)');
    expect(ownerOf('', '(idle)')).toBe('(idle)');
  });
});
