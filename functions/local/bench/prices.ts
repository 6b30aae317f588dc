import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';

/**
 * The prices the cost model applies (prices.json, beside this file in the source tree: JSON is
 * not compiled into dist/). Validated here, so a price without its source, date or free-tier
 * statement cannot be used.
 */
const PriceEntry = z
  .object({
    item: z.string().min(1),
    /** USD for `per` units, as published: never rounded. */
    price: z.number().nonnegative(),
    per: z.number().positive(),
    unit: z.string().min(1),
    region: z.string().min(1),
    tier: z.string().min(1),
    freeTierIgnored: z.boolean(),
    freeTier: z.string().min(1),
    source: z.url(),
    readOn: z.iso.date(),
    note: z.string(),
  })
  .strict();

const PubSubEntry = PriceEntry.extend({
  /** Pub/Sub bills every publish, push or pull request at least this many bytes. */
  minimumBytesPerRequest: z.number().int().nonnegative(),
}).strict();

export const Prices = z
  .object({
    about: z.string(),
    currency: z.literal('USD'),
    items: z
      .object({
        functionRequests: PriceEntry,
        vCpuSecond: PriceEntry,
        gibSecond: PriceEntry,
        firestoreRead: PriceEntry,
        firestoreWrite: PriceEntry,
        firestoreDelete: PriceEntry,
        pubsubThroughput: PubSubEntry,
        logIngestion: PriceEntry,
      })
      .strict(),
  })
  .strict()
  // The model ignores every free tier (see dollars.ts); a file saying otherwise is refused.
  .refine((p) => Object.values(p.items).every((i) => i.freeTierIgnored), {
    message: 'every price must ignore its free tier (freeTierIgnored: true)',
  });
export type Prices = z.infer<typeof Prices>;
export type PriceItem = keyof Prices['items'];

/** Where the prices live in a checkout. */
export const pricesFile = (root: string) => path.join(root, 'functions/local/bench/prices.json');

export function loadPrices(file: string): Prices {
  const parsed = Prices.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** USD for one unit (one request, vCPU-second, GiB-second, document or byte). */
export const unitPrice = (prices: Prices, item: PriceItem): number =>
  prices.items[item].price / prices.items[item].per;
