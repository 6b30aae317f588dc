import type { FunctionCost } from './cost';
import type { DeployedResources } from './deployed-resources';
import { unitPrice, type Prices } from './prices';

/**
 * What customer messages cost in dollars, from what the end-to-end run measured per customer
 * message (cost.ts) and list prices (prices.json). Pure: no clock, no files.
 *
 * The model, per function and per customer message:
 * - function requests: invocations × the price of a request;
 * - billable instance time (request-based billing): the measured time with at least one
 *   request in flight × (the deployed vCPUs × the vCPU-second price + the deployed GiB × the
 *   GiB-second price); no cold starts, idle instances or minimum instances (all 0 here);
 * - Firestore: documents read, written and deleted × their prices;
 * - Pub/Sub throughput: billable bytes published and pushed (each request at least Pub/Sub's
 *   minimum) × the price of a byte;
 * - log ingestion: bytes written to stdout and stderr × the price of a logged byte.
 * Free tiers are ignored. The floor is the same model applied to the no-op chain (same hops,
 * no Firestore, no logs of its own) plus the least Firestore work exactly-once state needs.
 */
export const COST_PARTS = [
  'functionRequests',
  'billableInstanceTime',
  'firestoreReads',
  'firestoreWrites',
  'firestoreDeletes',
  'pubsubThroughput',
  'logIngestion',
] as const;
export type CostPart = (typeof COST_PARTS)[number];
export type CostParts = Record<CostPart, number>;

/** What the model prices, per customer message. */
export type Usage = Pick<
  FunctionCost,
  | 'invocations'
  | 'billableMs'
  | 'firestoreReads'
  | 'firestoreWrites'
  | 'firestoreDeletes'
  | 'pubsubBillableBytes'
  | 'logBytes'
>;

/** Exactly-once state needs at least this per customer message: a dedupe read, two writes. */
export const FLOOR_FIRESTORE = { reads: 1, writes: 2 } as const;

export interface DollarFigures {
  /** USD per 1,000 customer messages, and its parts (they add up to it). */
  usdPer1kMessages: number;
  usdPer1kMessagesParts: CostParts;
  usdPer1kMessagesPerFunction: Record<string, number>;
  floorUsdPer1kMessages: number;
  floorUsdPer1kMessagesParts: CostParts;
  /** The no-op chain's share of the floor, per process (the Firestore minimum comes on top). */
  floorUsdPer1kMessagesPerFunction: Record<string, number>;
  ratioToFloor: number;
  floorFirestore: { reads: number; writes: number };
  /** What each measured process's instance time was priced at (from cloudbuild.yaml). */
  pricedAs: Record<string, DeployedResources & { entryPoint: string }>;
}

const zeroParts = (): CostParts => Object.fromEntries(COST_PARTS.map((p) => [p, 0])) as CostParts;

export const totalOf = (parts: CostParts): number =>
  COST_PARTS.reduce((sum, p) => sum + parts[p], 0);

function addInto(into: CostParts, parts: CostParts): void {
  for (const p of COST_PARTS) into[p] += parts[p];
}

/** One function's usage per customer message, in USD per 1,000 customer messages. */
export function priceUsage(
  usage: Usage,
  resources: Pick<DeployedResources, 'vCpu' | 'memoryGiB'>,
  prices: Prices,
): CostParts {
  const k = 1000;
  const p = (item: Parameters<typeof unitPrice>[1]) => unitPrice(prices, item);
  const instanceSecondPrice =
    resources.vCpu * p('vCpuSecond') + resources.memoryGiB * p('gibSecond');
  return {
    functionRequests: k * usage.invocations * p('functionRequests'),
    billableInstanceTime: k * (usage.billableMs / 1000) * instanceSecondPrice,
    firestoreReads: k * usage.firestoreReads * p('firestoreRead'),
    firestoreWrites: k * usage.firestoreWrites * p('firestoreWrite'),
    firestoreDeletes: k * usage.firestoreDeletes * p('firestoreDelete'),
    pubsubThroughput: k * usage.pubsubBillableBytes * p('pubsubThroughput'),
    logIngestion: k * usage.logBytes * p('logIngestion'),
  };
}

/** Every function's usage priced, summed by part; throws for a function it cannot size. */
function priceChain(
  usage: Record<string, Usage>,
  entryPointOf: (name: string) => string,
  resources: Record<string, DeployedResources>,
  prices: Prices,
  pricedAs: DollarFigures['pricedAs'],
): { parts: CostParts; perFunction: Record<string, number> } {
  const parts = zeroParts();
  const perFunction: Record<string, number> = {};
  for (const [name, u] of Object.entries(usage)) {
    const entryPoint = entryPointOf(name);
    const r = resources[entryPoint];
    if (!r) throw new Error(`no deploy step in cloudbuild.yaml for ${name} (${entryPoint})`);
    pricedAs[name] = { ...r, entryPoint };
    const priced = priceUsage(u, r, prices);
    perFunction[name] = totalOf(priced);
    addInto(parts, priced);
  }
  return { parts, perFunction };
}

export function dollarFigures(input: {
  /** Per function of the product, per customer message. */
  product: Record<string, Usage>;
  /** Per process of the no-op chain, per customer message. */
  noopChain: Record<string, Usage>;
  /** The deployed entry point a measured process stands for (its own name by default). */
  entryPointOf: (name: string) => string;
  resources: Record<string, DeployedResources>;
  prices: Prices;
}): DollarFigures {
  const pricedAs: DollarFigures['pricedAs'] = {};
  const { entryPointOf, resources, prices } = input;
  const product = priceChain(input.product, entryPointOf, resources, prices, pricedAs);
  const chain = priceChain(input.noopChain, entryPointOf, resources, prices, pricedAs);
  const floorParts = { ...chain.parts };
  addInto(
    floorParts,
    priceUsage(
      {
        invocations: 0,
        billableMs: 0,
        firestoreReads: FLOOR_FIRESTORE.reads,
        firestoreWrites: FLOOR_FIRESTORE.writes,
        firestoreDeletes: 0,
        pubsubBillableBytes: 0,
        logBytes: 0,
      },
      { vCpu: 0, memoryGiB: 0 },
      prices,
    ),
  );
  const usd = totalOf(product.parts);
  const floor = totalOf(floorParts);
  return {
    usdPer1kMessages: usd,
    usdPer1kMessagesParts: product.parts,
    usdPer1kMessagesPerFunction: product.perFunction,
    floorUsdPer1kMessages: floor,
    floorUsdPer1kMessagesParts: floorParts,
    floorUsdPer1kMessagesPerFunction: chain.perFunction,
    ratioToFloor: floor > 0 ? usd / floor : Number.NaN,
    floorFirestore: { ...FLOOR_FIRESTORE },
    pricedAs,
  };
}
