import { readFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * The validation a brand-reading function's first request cannot do without, alone in a fresh
 * process: building the brand schema and its first parse of the sample brand (zod at the
 * boundary, fixed by the design, and the first time-zone formatter ICU builds for the brand's
 * hours, which the bot's and the queue's opening hours need anyway). What the schema is built
 * from (zod and the core modules it imports) loads first, untimed: a function loads those at its
 * start whatever it reads.
 *
 * `BENCH_VALIDATE`: `brand` (automation: the whole configuration, `loadBrandConfig`) or `queue`
 * (liveAgent: the queue settings, `loadQueueSettings`). `BENCH_BRAND_FILE`: the brand's JSON.
 * Reports `{ type: 'validated', buildMs, firstParseMs, secondParseMs }` on fd 3.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the timing is of loading them */
require('zod');
require('../../../core/business-messages-api');
require('../../../core/business-hours');
require('../../../core/inbound-event');
require('../../../core/text-matching');

const document: unknown = JSON.parse(readFileSync(process.env.BENCH_BRAND_FILE ?? '', 'utf8'));
const mode = process.env.BENCH_VALIDATE ?? 'brand';

const started = performance.now();
const brandConfig = require('../../../core/brand-config') as Record<string, unknown>;
/* eslint-enable @typescript-eslint/no-require-imports */
const built = performance.now();
const loader = brandConfig[mode === 'queue' ? 'loadQueueSettings' : 'loadBrandConfig'];
if (typeof loader !== 'function') throw new Error(`core/brand-config has no loader for ${mode}`);
const load = loader as (document: unknown) => unknown;
load(document);
const parsed = performance.now();
load(document);
const again = performance.now();

writeSync(
  3,
  `${JSON.stringify({
    type: 'validated',
    buildMs: built - started,
    firstParseMs: parsed - built,
    secondParseMs: again - parsed,
  })}\n`,
);
