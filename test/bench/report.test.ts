import type { ColdStartFigure, ColdStartFigures } from '../../functions/local/bench/cold-start';
import type { FunctionCost } from '../../functions/local/bench/cost';
import type { CostParts } from '../../functions/local/bench/dollars';
import type { WebhookFigures } from '../../functions/local/bench/webhook-ingest';
import {
  evaluateTargets,
  formatTable,
  README_BEGIN,
  README_END,
  renderMarkdownSummary,
  renderReport,
  rewriteMarkedSection,
  roundDeep,
  type BenchResults,
} from '../../functions/local/bench/report';

const machine = {
  cpuModel: 'Test CPU',
  cores: 2,
  memoryGiB: 24,
  node: 'v20.0.0',
  os: 'Linux',
  date: '2026-01-01T00:00:00.000Z',
};

const cold = (ratioToFloor: number, unusedSdks: string[] = []): ColdStartFigure => ({
  ms: 500 * ratioToFloor,
  rssMb: 100,
  floorMs: 500,
  floorRssMb: 90,
  ratioToFloor,
  firstUseFloorMs: 600,
  firstUseFloorRssMb: 95,
  ratioToFirstUseFloor: (500 * ratioToFloor) / 600,
  ratioToFirstUseFloorInterval: [0.9, 1.2],
  firstUses: ['pubsub'],
  firstRequestFloorMs: 650,
  listenMs: 300,
  firstAnswerMs: 500 * ratioToFloor - 300,
  firstRequestFloorListenMs: 280,
  firstRequestFloorAnswerMs: 370,
  ratioToFirstRequestFloor: (500 * ratioToFloor) / 650,
  ratioToFirstRequestFloorInterval: [0.95, 1.1],
  firstRequestUses: ['pubsub'],
  sdks: ['@google-cloud/pubsub'],
  declaredSdks: ['@google-cloud/pubsub'],
  unusedSdks,
  samplesMs: [500],
  floorSamplesMs: [500],
  firstUseFloorSamplesMs: [600],
  firstRequestFloorSamplesMs: [650],
  firstRequest: 'a request',
});

const fnCost = (invocations: number): FunctionCost => ({
  invocations,
  maxInFlight: 2,
  meanServiceMs: 20,
  firestoreReads: 2,
  firestoreWrites: 1,
  firestoreDeletes: 0,
  firestoreCommits: 1,
  billableMs: 30,
  billableMsRoundedUp: 100,
  requestMs: 40,
  logBytes: 600,
  logLines: 2,
  pubsubPublishRequests: 1,
  pubsubPublishMessages: 1,
  pubsubPushes: 1,
  pubsubBytes: 400,
  pubsubBillableBytes: 2000,
});

const parts = (each: number): CostParts => ({
  functionRequests: each,
  billableInstanceTime: each,
  firestoreReads: each,
  firestoreWrites: each,
  firestoreDeletes: 0,
  pubsubThroughput: each,
  logIngestion: each,
});

/** Priced per customer message: $0.0012 per 1k against a floor of $0.0006. */
const cost = (): NonNullable<BenchResults['cost']> => ({
  firestoreReads: 12.2,
  firestoreWrites: 3.2,
  firestoreDeletes: 0,
  invocations: 6.2,
  billableMs: 120,
  logBytes: 2400,
  pubsubBillableBytes: 8000,
  customerMessages: 100,
  perFunction: { sender: fnCost(3.2) },
  rpcs: { commit: 3.2 },
  baselineInvocations: 6.2,
  baselineBillableMs: 40,
  baselineLogBytes: 0,
  baselinePubsubBillableBytes: 8000,
  baselinePerFunction: { 'noop-sender': fnCost(3) },
  usdPer1kMessages: 0.0012,
  usdPer1kMessagesParts: parts(0.0002),
  usdPer1kMessagesPerFunction: { sender: 0.0012 },
  floorUsdPer1kMessages: 0.0006,
  floorUsdPer1kMessagesParts: parts(0.0001),
  floorUsdPer1kMessagesPerFunction: { 'noop-sender': 0.0004 },
  ratioToFloor: 2,
  floorFirestore: { reads: 1, writes: 2 },
  pricedAs: { sender: { service: 'sender', entryPoint: 'sender', vCpu: 1, memoryGiB: 0.5 } },
});

/** The emulator webhook at `ratioToPublishFloor` × a 700 µs publish-only floor. */
const webhook = (ratioToPublishFloor: number): WebhookFigures => ({
  rps: 1200,
  p50Ms: 7,
  p99Ms: 15,
  bareRps: 2000,
  bareP50Ms: 4,
  bareP99Ms: 9,
  ratioToBare: 0.6,
  ratioToBareRange: [0.55, 0.7],
  emulatorRps: 900,
  emulatorP50Ms: 10,
  emulatorP99Ms: 25,
  publishFloorRps: 950,
  publishFloorP50Ms: 9,
  publishFloorP99Ms: 22,
  connections: 10,
  durationSeconds: 10,
  rounds: 2,
  serverCpuUsPerRequest: 420,
  bareServerCpuUsPerRequest: 250,
  emulatorServerCpuUsPerRequest: 700 * ratioToPublishFloor,
  publishFloorCpuUsPerRequest: 700,
  ratioToPublishFloor,
  ratioToPublishFloorRange: [ratioToPublishFloor - 0.1, ratioToPublishFloor + 0.2],
  bareClientCpuUsPerRequest: 300,
});

function results(): Omit<BenchResults, 'targets'> {
  const coldStart = {
    webhook: cold(1.1),
    agentApi: cold(1.2),
    classifier: cold(1.3, ['googleapis']),
    automation: cold(1.0),
    liveAgent: cold(1.0),
    sender: cold(1.0),
    googleapisMs: null,
    googleapisRssMb: null,
    googleapisNote: 'registry unreachable',
    runs: 5,
  } satisfies ColdStartFigures;
  return {
    machine,
    webhook: null,
    coldStart,
    e2e: {
      rounds: 2,
      p50Ms: 120,
      p99Ms: 600,
      baselineP50Ms: 100,
      baselineP99Ms: 200,
      ratioP50: 1.2,
      ratioP99: 3,
      conversations: 20,
      turns: 5,
      samples: 100,
      samplesMs: [],
      baselineSamplesMs: [],
      wallSeconds: 3,
      baselineWallSeconds: 2,
      cpuSeconds: { sender: 1 },
      baselineCpuSeconds: { noopSender: 0.5 },
    },
    embedded: null,
    console: {
      bundleGzipBytes: 30_000,
      bundleJsGzipBytes: 26_000,
      bundleCssGzipBytes: 4_000,
      firstPaintMs: 400,
      firstPaintQueued: 50,
      baselineDomContentLoadedMs: 90,
      messageToScreenP50Ms: 120,
      messageToScreenP95Ms: 1_400,
      baselineStreamP50Ms: 100,
      baselineStreamP95Ms: 300,
      samples: 40,
    },
    devLoop: { simulateSecondRunMs: 640, simulateRuns: 7, bareNodeMs: 45 },
    cost: null,
    errors: ['embedded: it broke'],
    wallSeconds: 100,
  };
}

describe('bench report', () => {
  it('decides each target, and N/A for what was not measured', () => {
    const targets = evaluateTargets(results());
    const verdict = (figure: string) => targets.find((t) => t.figure === figure)?.verdict;
    expect(verdict('webhook.ratioToBare')).toBe('N/A');
    expect(verdict('webhook.ratioToPublishFloor')).toBe('N/A');
    expect(verdict('coldStart.webhook.ratioToFloor')).toBe('PASS');
    expect(verdict('coldStart.classifier.ratioToFloor')).toBe('MISS');
    expect(verdict('coldStart.webhook.ratioToFirstUseFloor')).toBe('PASS');
    expect(verdict('coldStart.classifier.ratioToFirstUseFloor')).toBe('MISS');
    expect(verdict('coldStart.*.sdks (no SDK a function does not use)')).toBe('MISS');
    expect(verdict('e2e.ratioP50')).toBe('PASS');
    expect(verdict('e2e.p99Ms vs 2.5 × baselineP99Ms')).toBe('MISS');
    expect(verdict('embedded.msgPerSec')).toBe('N/A');
    expect(verdict('cost.firestoreWrites per message')).toBe('N/A');
    expect(verdict('cost.ratioToFloor')).toBe('N/A');
    expect(verdict('cost.firestoreReads per message')).toBe('N/A');
    expect(verdict('cost.invocations per message')).toBe('N/A');
    expect(verdict('console.messageToScreenP50Ms')).toBe('PASS');
    expect(verdict('console.messageToScreenP95Ms')).toBe('MISS');
    expect(verdict('console.firstPaintMs')).toBe('PASS');
    expect(verdict('console.bundleGzipBytes')).toBe('PASS');
    expect(verdict('devLoop.simulateSecondRunMs')).toBe('PASS');
  });

  it('decides the cost target from the ratio to the floor', () => {
    const verdict = (ratioToFloor: number) =>
      evaluateTargets({ ...results(), cost: { ...cost(), ratioToFloor } }).find(
        (t) => t.figure === 'cost.ratioToFloor',
      );
    expect(verdict(1.5)?.verdict).toBe('PASS');
    expect(verdict(1.51)?.verdict).toBe('MISS');
    expect(verdict(Number.NaN)?.verdict).toBe('N/A');
    expect(verdict(2)?.value).toBe('2.00 ($0.0012 vs $0.0006 per 1k)');
  });

  it('decides the webhook against the publish-only floor, and prints both', () => {
    const target = (w: WebhookFigures) =>
      evaluateTargets({ ...results(), webhook: w }).find(
        (t) => t.figure === 'webhook.ratioToPublishFloor',
      );
    // The median round's ratio decides; the rounds' range is shown beside it.
    expect(target(webhook(1.05))).toEqual({
      figure: 'webhook.ratioToPublishFloor',
      value: '1.05 [0.95–1.25]',
      target: '≤ 1.05',
      verdict: 'PASS',
    });
    expect(target(webhook(1.06))?.verdict).toBe('MISS');
    expect(target(webhook(Number.NaN))?.verdict).toBe('N/A');

    const r = { ...results(), webhook: webhook(1.1) };
    const text = renderReport({ ...r, targets: evaluateTargets(r) });
    expect(text).toMatch(
      /Pub\/Sub emulator: server CPU per request\s+770 µs\s+publish-only floor: 700 µs \[1\.00–1\.30\]\s+1\.10\s+≤ 1\.05\s+MISS/,
    );
    expect(text).toMatch(/Pub\/Sub emulator: req\/s.*publish-only floor: 950, 9 \/ 22 ms/);
    expect(text).toMatch(/in-memory bus: server CPU per request\s+420 µs\s+bare: 250 µs\s+1\.68/);
  });

  it('decides every cold start against its first-use floor, N/A where not measured', () => {
    const r = results();
    // A first-use floor that could not be measured leaves the ratio NaN (cold-start.ts).
    const coldStart = r.coldStart && {
      ...r.coldStart,
      sender: { ...cold(1.0), ratioToFirstUseFloor: Number.NaN },
    };
    const targets = evaluateTargets({ ...r, coldStart });
    const firstUse = targets.filter((t) => t.figure.endsWith('.ratioToFirstUseFloor'));
    expect(firstUse.map((t) => t.figure)).toEqual([
      'coldStart.webhook.ratioToFirstUseFloor',
      'coldStart.agentApi.ratioToFirstUseFloor',
      'coldStart.classifier.ratioToFirstUseFloor',
      'coldStart.automation.ratioToFirstUseFloor',
      'coldStart.liveAgent.ratioToFirstUseFloor',
      'coldStart.sender.ratioToFirstUseFloor',
    ]);
    // cold(r) runs 500·r ms against a 600 ms first-use floor.
    expect(firstUse.map((t) => t.verdict)).toEqual(['PASS', 'PASS', 'MISS', 'PASS', 'PASS', 'N/A']);
    // The median of same-run pairs, with its 95 % interval.
    expect(firstUse[2]?.value).toBe('1.08 [0.90–1.20]');
    expect(firstUse.every((t) => t.target === '≤ 1.05')).toBe(true);
    // The ratio-to-floor rows stay beside them.
    const toFloor = targets.filter((t) => /^coldStart\.\w+\.ratioToFloor$/.test(t.figure));
    expect(toFloor).toHaveLength(6);

    const text = renderReport({ ...r, targets: evaluateTargets(r) });
    expect(text).toMatch(
      /against the first-use floor\s+650 ms\s+first-use floor 600 ms, 95 MiB \[0\.90–1\.20\]\s+1\.08\s+≤ 1\.05\s+MISS/,
    );
  });

  it('decides every cold start against its first-request floor too, and prints it', () => {
    const r = results();
    // cold(r) runs 500·r ms against a 650 ms first-request floor.
    const coldStart = r.coldStart && {
      ...r.coldStart,
      // 750 ms against a 650 ms floor making the same calls: ×1.15, a miss.
      automation: { ...cold(1.5), ratioToFirstRequestFloor: 750 / 650 },
      sender: { ...cold(1.0), ratioToFirstRequestFloor: Number.NaN },
    };
    const targets = evaluateTargets({ ...r, coldStart });
    const firstRequest = targets.filter((t) => t.figure.endsWith('.ratioToFirstRequestFloor'));
    expect(firstRequest.map((t) => [t.figure, t.value, t.verdict])).toEqual([
      ['coldStart.webhook.ratioToFirstRequestFloor', '0.85 [0.95–1.10]', 'PASS'],
      ['coldStart.agentApi.ratioToFirstRequestFloor', '0.92 [0.95–1.10]', 'PASS'],
      ['coldStart.classifier.ratioToFirstRequestFloor', '1.00 [0.95–1.10]', 'PASS'],
      ['coldStart.automation.ratioToFirstRequestFloor', '1.15 [0.95–1.10]', 'MISS'],
      ['coldStart.liveAgent.ratioToFirstRequestFloor', '0.77 [0.95–1.10]', 'PASS'],
      ['coldStart.sender.ratioToFirstRequestFloor', '—', 'N/A'],
    ]);
    const text = renderReport({ ...r, coldStart, targets });
    expect(text).toMatch(
      /against the first-request floor\s+750 ms\s+same calls as the first request 650 ms \[0\.95–1\.10\]\s+1\.15\s+≤ 1\.05\s+MISS/,
    );
  });

  it('decides a brand reader against its first-request floor plus the validation alone', () => {
    const r = results();
    const coldStart = r.coldStart && {
      ...r.coldStart,
      automation: {
        ...cold(1.5),
        validation: {
          kind: 'brand' as const,
          buildMs: 9,
          firstParseMs: 43,
          ratioToFirstRequestFloorPlusValidation: 750 / 702,
          ratioToFirstRequestFloorPlusValidationInterval: [1.02, 1.09] as [number, number],
        },
      },
    };
    const targets = evaluateTargets({ ...r, coldStart });
    const rows = targets.filter((t) =>
      t.figure.endsWith('.ratioToFirstRequestFloorPlusValidation'),
    );
    // Only the functions whose first request validates a brand; liveAgent's was not measured.
    expect(rows.map((t) => [t.figure, t.value, t.verdict])).toEqual([
      ['coldStart.automation.ratioToFirstRequestFloorPlusValidation', '1.07 [1.02–1.09]', 'MISS'],
      ['coldStart.liveAgent.ratioToFirstRequestFloorPlusValidation', '—', 'N/A'],
    ]);
    const text = renderReport({ ...r, coldStart, targets });
    expect(text).toMatch(
      /… plus the brand's validation alone\s+750 ms\s+\+ schema 9 ms, first parse 43 ms \[1\.02–1\.09\]\s+1\.07\s+≤ 1\.05\s+MISS/,
    );
    expect(text).toMatch(
      /… plus the queue settings' validation alone\s+500 ms\s+—\s+≤ 1\.05\s+N\/A/,
    );
  });

  it('decides Firestore reads and invocations per message', () => {
    const target = (figure: string, c: Partial<NonNullable<BenchResults['cost']>>) =>
      evaluateTargets({ ...results(), cost: { ...cost(), ...c } }).find((t) => t.figure === figure);
    const reads = 'cost.firestoreReads per message';
    const invocations = 'cost.invocations per message';
    expect(target(reads, {})).toMatchObject({ value: '12.20', target: '≤ 4', verdict: 'MISS' });
    expect(target(reads, { firestoreReads: 4 })?.verdict).toBe('PASS');
    expect(target(reads, { firestoreReads: 4.01 })?.verdict).toBe('MISS');
    expect(target(reads, { firestoreReads: Number.NaN })?.verdict).toBe('N/A');
    expect(target(invocations, {})).toMatchObject({
      value: '6.20',
      target: '≤ 4.2',
      verdict: 'MISS',
    });
    expect(target(invocations, { invocations: 4.2 })?.verdict).toBe('PASS');
    expect(target(invocations, { invocations: 4.21 })?.verdict).toBe('MISS');
    expect(target(invocations, { invocations: Number.NaN })?.verdict).toBe('N/A');

    const r = { ...results(), cost: cost() };
    const text = renderReport({ ...r, targets: evaluateTargets(r) });
    expect(text).toMatch(/Firestore reads\s+12\.20\s+floor: 1\s+≤ 4\s+MISS/);
    expect(text).toMatch(/function invocations\s+6\.20\s+no-op chain: 6\.20\s+≤ 4\.2\s+MISS/);
  });

  it('prints the dollars, their parts and the floor', () => {
    const r = { ...results(), cost: cost() };
    const text = renderReport({ ...r, targets: evaluateTargets(r) });
    expect(text).toMatch(
      /USD per 1,000 customer messages\s+\$0\.0012\s+floor: \$0\.0006\s+2\.00\s+≤ 1\.5\s+MISS/,
    );
    expect(text).toMatch(/billable instance time\s+\$0\.0002\s+floor: \$0\.0001/);
    expect(text).toMatch(/log ingestion\s+\$0\.0002/);
    expect(text).toContain('sender 1.00 vCPU 0.50 GiB');
    expect(text).toContain('1 Firestore read and 2 writes');
  });

  it('the README summary says what 1 million messages cost, by part, beside the floor', () => {
    const r = { ...results(), cost: cost() };
    const summary = renderMarkdownSummary({ ...r, targets: evaluateTargets(r) }, 'abc1234');
    expect(summary).toContain('| where the money goes | per 1 million messages | share | floor |');
    expect(summary).toContain('| billable instance time | $0.2 | 17 % | $0.1 |');
    expect(summary).toContain('| **total** | **$1.2** | | **$0.6** (×2.00) |');
  });

  it('lays out columns, with section titles outside them', () => {
    expect(formatTable(['a', 'bb'], ['Section', ['x', 'y'], ['long', 'z']])).toBe(
      ['a     bb', '────  ──', 'Section', 'x     y', 'long  z'].join('\n'),
    );
  });

  it('prints every section, the machine, errors and the verdicts', () => {
    const r = results();
    const text = renderReport({ ...r, targets: evaluateTargets(r) });
    expect(text).toContain('Test CPU, 2 cores');
    expect(text).toContain('classifier');
    expect(text).toContain('Agent console (headless Chromium, embedded stack)');
    expect(text).toContain('bare GET /events reader: 100 ms');
    expect(text).toContain('not measured: registry unreachable');
    expect(text).toContain('error: embedded: it broke');
    expect(text).toMatch(/targets: \d+ PASS, \d+ MISS, \d+ N\/A/);
  });

  it('rewrites only the README’s marked section, with the targets as a table', () => {
    const r = results();
    const summary = renderMarkdownSummary({ ...r, targets: evaluateTargets(r) }, 'abc1234');
    expect(summary).toContain('commit abc1234');
    expect(summary).toContain('| `console.bundleGzipBytes` | 30,000 B | ≤ 60 KB | PASS |');
    const doc = `# Title\n\nbefore\n${README_BEGIN}\nold table\n${README_END}\nafter\n`;
    const rewritten = rewriteMarkedSection(doc, summary);
    expect(rewritten.replaced).toBe(true);
    expect(rewritten.text).not.toContain('old table');
    expect(rewritten.text.startsWith('# Title\n\nbefore\n')).toBe(true);
    expect(rewritten.text.endsWith(`${README_END}\nafter\n`)).toBe(true);
    expect(rewriteMarkedSection('no markers', summary)).toEqual({
      text: 'no markers',
      replaced: false,
    });
  });

  it('rounds numbers for the JSON file, and turns non-finite ones into null', () => {
    expect(roundDeep({ a: 1.23456, b: [Number.NaN, 2], c: 'x' })).toEqual({
      a: 1.23,
      b: [null, 2],
      c: 'x',
    });
  });

  it('keeps dollar figures unrounded in the JSON file', () => {
    expect(
      roundDeep({
        usdPer1kMessages: 0.000123456789,
        floorUsdPer1kMessagesParts: { logIngestion: 0.0000001234, firestoreDeletes: Number.NaN },
        ratioToFloor: 1.23456,
      }),
    ).toEqual({
      usdPer1kMessages: 0.000123456789,
      floorUsdPer1kMessagesParts: { logIngestion: 0.0000001234, firestoreDeletes: null },
      ratioToFloor: 1.23,
    });
  });
});
