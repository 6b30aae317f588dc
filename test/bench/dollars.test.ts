import {
  COST_PARTS,
  dollarFigures,
  priceUsage,
  totalOf,
  type Usage,
} from '../../functions/local/bench/dollars';
import type { Prices } from '../../functions/local/bench/prices';

const entry = (price: number, per: number) => ({
  item: 'test item',
  price,
  per,
  unit: 'units',
  region: 'europe-west1',
  tier: 'Tier 1',
  freeTierIgnored: true,
  freeTier: 'none counted',
  source: 'https://cloud.google.com/run/pricing',
  readOn: '2026-11-30',
  note: '',
});

// Round numbers, so each part can be checked by hand.
const prices: Prices = {
  about: 'test',
  currency: 'USD',
  items: {
    functionRequests: entry(0.4, 1_000_000),
    vCpuSecond: entry(0.000024, 1),
    gibSecond: entry(0.0000025, 1),
    firestoreRead: entry(0.03, 100_000),
    firestoreWrite: entry(0.09, 100_000),
    firestoreDelete: entry(0.01, 100_000),
    pubsubThroughput: { ...entry(40, 2 ** 40), minimumBytesPerRequest: 1000 },
    logIngestion: entry(0.5, 2 ** 30),
  },
};

const usage = (over: Partial<Usage> = {}): Usage => ({
  invocations: 0,
  billableMs: 0,
  firestoreReads: 0,
  firestoreWrites: 0,
  firestoreDeletes: 0,
  pubsubBillableBytes: 0,
  logBytes: 0,
  ...over,
});

const resources = {
  webhook: { service: 'webhook', vCpu: 1, memoryGiB: 0.5 },
  sender: { service: 'sender', vCpu: 2, memoryGiB: 1 },
};

describe('cost in dollars', () => {
  it('prices each part per 1,000 customer messages, unrounded', () => {
    const parts = priceUsage(
      usage({
        invocations: 2,
        billableMs: 100,
        firestoreReads: 3,
        firestoreWrites: 2,
        firestoreDeletes: 1,
        pubsubBillableBytes: 2 ** 20,
        logBytes: 2 ** 20,
      }),
      { vCpu: 1, memoryGiB: 0.5 },
      prices,
    );
    expect(parts.functionRequests).toBeCloseTo((1000 * 2 * 0.4) / 1e6, 15);
    // 1,000 × 0.1 s × (1 vCPU × 0.000024 + 0.5 GiB × 0.0000025)
    expect(parts.billableInstanceTime).toBeCloseTo(100 * (0.000024 + 0.00000125), 15);
    expect(parts.firestoreReads).toBeCloseTo(0.0009, 15);
    expect(parts.firestoreWrites).toBeCloseTo(0.0018, 15);
    expect(parts.firestoreDeletes).toBeCloseTo(0.0001, 15);
    expect(parts.pubsubThroughput).toBeCloseTo((1000 * 40) / 2 ** 20, 15);
    expect(parts.logIngestion).toBeCloseTo((1000 * 0.5) / 2 ** 10, 15);
    expect(totalOf(parts)).toBeCloseTo(
      COST_PARTS.reduce((sum, p) => sum + parts[p], 0),
      15,
    );
  });

  it('sizes instance time by the deployed resources of the function a process stands for', () => {
    const figures = dollarFigures({
      product: { sender: usage({ billableMs: 1000 }) },
      noopChain: { 'noop-sender': usage({ billableMs: 1000 }) },
      entryPointOf: (name) => (name === 'noop-sender' ? 'sender' : name),
      resources,
      prices,
    });
    const perSecond = 2 * 0.000024 + 1 * 0.0000025;
    expect(figures.usdPer1kMessagesParts.billableInstanceTime).toBeCloseTo(1000 * perSecond, 12);
    expect(figures.floorUsdPer1kMessagesPerFunction['noop-sender']).toBeCloseTo(
      1000 * perSecond,
      12,
    );
    expect(figures.pricedAs['noop-sender']).toMatchObject({ entryPoint: 'sender', vCpu: 2 });
  });

  it('adds the least Firestore work exactly-once needs to the no-op chain for the floor', () => {
    const figures = dollarFigures({
      product: {
        webhook: usage({ invocations: 1, firestoreReads: 3, firestoreWrites: 2, logBytes: 500 }),
      },
      noopChain: { 'noop-webhook': usage({ invocations: 1 }) },
      entryPointOf: (name) => name.replace(/^noop-/, ''),
      resources,
      prices,
    });
    expect(figures.floorFirestore).toEqual({ reads: 1, writes: 2 });
    expect(figures.floorUsdPer1kMessagesParts.firestoreReads).toBeCloseTo(0.0003, 15);
    expect(figures.floorUsdPer1kMessagesParts.firestoreWrites).toBeCloseTo(0.0018, 15);
    expect(figures.floorUsdPer1kMessagesParts.functionRequests).toBeCloseTo(0.0004, 15);
    expect(figures.floorUsdPer1kMessages).toBeCloseTo(0.0004 + 0.0003 + 0.0018, 15);
    expect(figures.usdPer1kMessages).toBeCloseTo(
      0.0004 + 0.0009 + 0.0018 + (1000 * 500 * 0.5) / 2 ** 30,
      15,
    );
    expect(figures.ratioToFloor).toBeCloseTo(
      figures.usdPer1kMessages / figures.floorUsdPer1kMessages,
      12,
    );
  });

  it('refuses to price a function it has no deployed size for', () => {
    expect(() =>
      dollarFigures({
        product: { classifier: usage({ billableMs: 10 }) },
        noopChain: {},
        entryPointOf: (name) => name,
        resources,
        prices,
      }),
    ).toThrow(/classifier/);
  });
});
