import type { ConsoleFigures } from './agent-console';
import type { DevLoopFigures } from './dev-loop';
import type { ColdStartFigures } from './cold-start';
import type { CostFigures } from './cost';
import { COST_PARTS, type CostPart, type DollarFigures } from './dollars';
import type { EmbeddedFigures } from './embedded';
import type { EndToEndFigures } from './end-to-end';
import { FIRST_VALIDATION } from './first-request-validation';
import { FUNCTIONS } from '../stack/config';
import type { WebhookFigures } from './webhook-ingest';

/**
 * The benchmark's results, their targets, and the printed table. Pure: main.ts gathers, this
 * decides PASS/MISS and lays out text, so test/bench can check it without running anything.
 */
export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
}

export interface BenchResults {
  machine: Machine;
  webhook: WebhookFigures | null;
  coldStart: ColdStartFigures | null;
  e2e: EndToEndFigures | null;
  embedded: EmbeddedFigures | null;
  /** The agent console in headless Chromium (section 6). */
  console: ConsoleFigures | null;
  /** `npm run simulate` run again with nothing changed (section 7). */
  devLoop: DevLoopFigures | null;
  /** Per customer message of the end-to-end run, counted and priced (section 5). */
  cost:
    | (CostFigures &
        DollarFigures & {
          baselineInvocations: number;
          baselineBillableMs: number;
          baselineLogBytes: number;
          baselinePubsubBillableBytes: number;
          baselinePerFunction: CostFigures['perFunction'];
        })
    | null;
  targets: TargetResult[];
  /** Sections that failed, with why; their figures are null. */
  errors: string[];
  wallSeconds: number;
}

export type Verdict = 'PASS' | 'MISS' | 'N/A';

export interface TargetResult {
  figure: string;
  value: string;
  target: string;
  verdict: Verdict;
}

const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * Dollars at 4 significant digits, never in exponent notation (parts run down to millionths of
 * a cent); bench-results.json keeps them unrounded.
 */
const usd = (n: number | null | undefined): string =>
  n === null || n === undefined || !Number.isFinite(n)
    ? '—'
    : `$${n.toLocaleString('en-US', { maximumSignificantDigits: 4 })}`;

const PART_LABELS: Record<CostPart, string> = {
  functionRequests: 'function requests',
  billableInstanceTime: 'billable instance time',
  firestoreReads: 'Firestore reads',
  firestoreWrites: 'Firestore writes',
  firestoreDeletes: 'Firestore deletes',
  pubsubThroughput: 'Pub/Sub throughput',
  logIngestion: 'log ingestion',
};

const check = (ok: boolean | undefined): Verdict =>
  ok === undefined ? 'N/A' : ok ? 'PASS' : 'MISS';

const finite = (n: number | null | undefined): n is number =>
  n !== null && n !== undefined && Number.isFinite(n);

/** A figure whose target is a ceiling, shown with `digits` decimals; N/A when not measured. */
const atMost = (
  figure: string,
  value: number | null | undefined,
  limit: number,
  digits = 2,
): TargetResult => ({
  figure,
  value: fmt(value, digits),
  target: `≤ ${limit}`,
  verdict: check(finite(value) ? value <= limit : undefined),
});

/** `[low, high]` as `0.98–1.12`, or nothing when not measured. */
const interval = (bounds: readonly number[] | undefined): string | undefined =>
  bounds && bounds.length === 2 && bounds.every(finite)
    ? `${fmt(bounds[0], 2)}–${fmt(bounds[1], 2)}`
    : undefined;

/** A ratio's value with its 95 % interval beside it (`1.07 [0.98–1.12]`); the verdict is the median's. */
const withInterval = (t: TargetResult, bounds: readonly number[] | undefined): TargetResult => {
  const range = interval(bounds);
  return range === undefined || t.verdict === 'N/A' ? t : { ...t, value: `${t.value} [${range}]` };
};

/** Each target of the issue, evaluated; a figure that could not be measured is N/A. */
export function evaluateTargets(r: Omit<BenchResults, 'targets'>): TargetResult[] {
  const t: TargetResult[] = [];
  const w = r.webhook;
  t.push({
    figure: 'webhook.ratioToBare',
    value:
      w && finite(w.ratioToBare) && w.ratioToBareRange
        ? `${fmt(w.ratioToBare, 2)} [${interval(w.ratioToBareRange)}]`
        : fmt(w?.ratioToBare, 2),
    target: '≥ 0.8',
    verdict: check(finite(w?.ratioToBare) ? w?.ratioToBare >= 0.8 : undefined),
  });
  t.push(
    withInterval(
      atMost('webhook.ratioToPublishFloor', w?.ratioToPublishFloor, 1.05),
      w?.ratioToPublishFloorRange,
    ),
  );
  for (const fn of FUNCTIONS) {
    const c = r.coldStart?.[fn.name];
    t.push({
      figure: `coldStart.${fn.name}.ratioToFloor`,
      value: fmt(c?.ratioToFloor, 2),
      target: '≤ 1.25',
      verdict: check(finite(c?.ratioToFloor) ? c?.ratioToFloor <= 1.25 : undefined),
    });
    t.push(
      withInterval(
        atMost(`coldStart.${fn.name}.ratioToFirstUseFloor`, c?.ratioToFirstUseFloor, 1.05),
        c?.ratioToFirstUseFloorInterval,
      ),
    );
    // The honest target where the first request's own round trips put the first-use floor out
    // of reach (functions/local/bench/README.md, "Where the time goes").
    t.push(
      withInterval(
        atMost(`coldStart.${fn.name}.ratioToFirstRequestFloor`, c?.ratioToFirstRequestFloor, 1.05),
        c?.ratioToFirstRequestFloorInterval,
      ),
    );
    // Proposed where the first request must validate a brand: that validation, measured alone,
    // is added to the floor (functions/local/bench/README.md, "Where the time goes").
    if (FIRST_VALIDATION[fn.name]) {
      t.push(
        withInterval(
          atMost(
            `coldStart.${fn.name}.ratioToFirstRequestFloorPlusValidation`,
            c?.validation?.ratioToFirstRequestFloorPlusValidation,
            1.05,
          ),
          c?.validation?.ratioToFirstRequestFloorPlusValidationInterval,
        ),
      );
    }
  }
  const unused = r.coldStart
    ? FUNCTIONS.flatMap((fn) =>
        (r.coldStart?.[fn.name]?.unusedSdks ?? []).map((s) => `${fn.name}: ${s}`),
      )
    : undefined;
  t.push({
    figure: 'coldStart.*.sdks (no SDK a function does not use)',
    value: unused === undefined ? '—' : unused.length === 0 ? 'none extra' : unused.join('; '),
    target: 'none',
    verdict: check(unused === undefined ? undefined : unused.length === 0),
  });
  const e = r.e2e;
  t.push({
    figure: 'e2e.ratioP50',
    value: fmt(e?.ratioP50, 2),
    target: '≤ 1.3',
    verdict: check(finite(e?.ratioP50) ? e?.ratioP50 <= 1.3 : undefined),
  });
  t.push({
    figure: 'e2e.p99Ms vs 2.5 × baselineP99Ms',
    value: e ? `${fmt(e.p99Ms)} ms vs ${fmt(2.5 * e.baselineP99Ms)} ms` : '—',
    target: '≤ 2.5 × baseline p99',
    verdict: check(
      e && finite(e.p99Ms) && finite(e.baselineP99Ms)
        ? e.p99Ms <= 2.5 * e.baselineP99Ms
        : undefined,
    ),
  });
  const m = r.embedded;
  t.push({
    figure: 'embedded.p50Ms',
    value: m ? `${fmt(m.p50Ms)} ms` : '—',
    target: '≤ 20 ms',
    verdict: check(m && finite(m.p50Ms) ? m.p50Ms <= 20 : undefined),
  });
  t.push({
    figure: 'embedded.msgPerSec',
    value: fmt(m?.msgPerSec),
    target: '≥ 1000',
    verdict: check(m && finite(m.msgPerSec) ? m.msgPerSec >= 1000 : undefined),
  });
  const d = r.devLoop;
  t.push({
    figure: 'devLoop.simulateSecondRunMs',
    value: d ? `${fmt(d.simulateSecondRunMs)} ms` : '—',
    target: '≤ 1,500 ms',
    verdict: check(d && finite(d.simulateSecondRunMs) ? d.simulateSecondRunMs <= 1500 : undefined),
  });
  const a = r.console;
  t.push({
    figure: 'console.messageToScreenP50Ms',
    value: a ? `${fmt(a.messageToScreenP50Ms)} ms` : '—',
    target: '≤ 300 ms',
    verdict: check(a && finite(a.messageToScreenP50Ms) ? a.messageToScreenP50Ms <= 300 : undefined),
  });
  t.push({
    figure: 'console.messageToScreenP95Ms',
    value: a ? `${fmt(a.messageToScreenP95Ms)} ms` : '—',
    target: '≤ 1,000 ms',
    verdict: check(
      a && finite(a.messageToScreenP95Ms) ? a.messageToScreenP95Ms <= 1000 : undefined,
    ),
  });
  t.push({
    figure: 'console.firstPaintMs',
    value: a ? `${fmt(a.firstPaintMs)} ms` : '—',
    target: '≤ 1,000 ms',
    verdict: check(a && finite(a.firstPaintMs) ? a.firstPaintMs <= 1000 : undefined),
  });
  t.push({
    figure: 'console.bundleGzipBytes',
    value: a ? `${fmt(a.bundleGzipBytes)} B` : '—',
    target: '≤ 60 KB',
    verdict: check(a && finite(a.bundleGzipBytes) ? a.bundleGzipBytes <= 60 * 1024 : undefined),
  });
  const c = r.cost;
  t.push({
    figure: 'cost.firestoreWrites per message',
    value: fmt(c?.firestoreWrites, 2),
    target: '≤ 4',
    verdict: check(c && finite(c.firestoreWrites) ? c.firestoreWrites <= 4 : undefined),
  });
  t.push(atMost('cost.firestoreReads per message', c?.firestoreReads, 4));
  t.push(atMost('cost.invocations per message', c?.invocations, 4.2));
  t.push({
    figure: 'cost.ratioToFloor',
    value: c
      ? `${fmt(c.ratioToFloor, 2)} (${usd(c.usdPer1kMessages)} vs ${usd(c.floorUsdPer1kMessages)} per 1k)`
      : '—',
    target: '≤ 1.5',
    verdict: check(c && finite(c.ratioToFloor) ? c.ratioToFloor <= 1.5 : undefined),
  });
  return t;
}

/**
 * Left-aligned text columns, two spaces apart, a rule under the header. A row given as a plain
 * string is a section title: printed as it is, and not counted in the column widths.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[] | string)[],
): string {
  const cells = rows.filter((row): row is readonly string[] => typeof row !== 'string');
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map((row) => (typeof row === 'string' ? row : line(row))),
  ].join('\n');
}

const ms = (n: number | null | undefined) => (finite(n) ? `${fmt(n)} ms` : '—');
const ms1 = (n: number | null | undefined) => (finite(n) ? `${fmt(n, 1)} ms` : '—');
const mib = (n: number | null | undefined) => (finite(n) ? `${fmt(n)} MiB` : '—');
const us = (n: number | null | undefined) => (finite(n) ? `${fmt(n)} µs` : '—');

/** The whole printed report: machine, every figure beside its baseline, targets. */
export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  const mc = r.machine;
  out.push(
    `bm-pipeline benchmarks — ${mc.cpuModel}, ${mc.cores} cores, ${fmt(mc.memoryGiB, 1)} GiB, Node ${mc.node}, ${mc.os}, ${mc.date}`,
    '',
  );
  const verdictOf = (figure: string) => r.targets.find((t) => t.figure === figure)?.verdict ?? '';

  const rows: (string[] | string)[] = [];
  const section = (title: string) => rows.push(title);
  const w = r.webhook;
  section(
    `Webhook ingest (autocannon, ${w?.connections ?? 10} connections, ${w ? `${w.rounds} × ` : ''}${w?.durationSeconds ?? 10} s, alternating; a ratio is the median round's, the rounds' range in brackets)`,
  );
  rows.push([
    '  in-memory bus: req/s',
    fmt(w?.rps),
    `bare function: ${fmt(w?.bareRps)}${w?.ratioToBareRange ? ` [${interval(w.ratioToBareRange) ?? '—'}]` : ''}`,
    fmt(w?.ratioToBare, 2),
    '≥ 0.8',
    verdictOf('webhook.ratioToBare'),
  ]);
  rows.push([
    '  in-memory bus: p50 / p99',
    w ? `${fmt(w.p50Ms)} / ${fmt(w.p99Ms)} ms` : '—',
    w ? `bare: ${fmt(w.bareP50Ms)} / ${fmt(w.bareP99Ms)} ms` : '',
    '',
    '',
    '',
  ]);
  rows.push([
    '  in-memory bus: server CPU per request',
    us(w?.serverCpuUsPerRequest),
    w ? `bare: ${us(w.bareServerCpuUsPerRequest)}` : '',
    w ? fmt(w.serverCpuUsPerRequest / w.bareServerCpuUsPerRequest, 2) : '',
    '',
    '',
  ]);
  rows.push([
    '  Pub/Sub emulator: req/s, p50 / p99',
    w ? `${fmt(w.emulatorRps)}, ${fmt(w.emulatorP50Ms)} / ${fmt(w.emulatorP99Ms)} ms` : '—',
    w
      ? `publish-only floor: ${fmt(w.publishFloorRps)}, ${fmt(w.publishFloorP50Ms)} / ${fmt(w.publishFloorP99Ms)} ms`
      : '',
    w ? fmt(w.emulatorRps / w.publishFloorRps, 2) : '',
    '',
    '',
  ]);
  rows.push([
    '  Pub/Sub emulator: server CPU per request',
    us(w?.emulatorServerCpuUsPerRequest),
    w
      ? `publish-only floor: ${us(w.publishFloorCpuUsPerRequest)}${w.ratioToPublishFloorRange ? ` [${interval(w.ratioToPublishFloorRange) ?? '—'}]` : ''}`
      : '',
    fmt(w?.ratioToPublishFloor, 2),
    '≤ 1.05',
    verdictOf('webhook.ratioToPublishFloor'),
  ]);

  const cs = r.coldStart;
  section(
    `Cold start to first answer (median of ${cs?.runs ?? 5} processes, RSS then; a ratio is the median of same-run pairs, its 95 % interval in brackets)`,
  );
  for (const fn of FUNCTIONS) {
    const c = cs?.[fn.name];
    rows.push([
      `  ${fn.name}`,
      c ? `${ms(c.ms)}, ${mib(c.rssMb)}` : '—',
      c ? `floor ${ms(c.floorMs)}, ${mib(c.floorRssMb)}` : '',
      fmt(c?.ratioToFloor, 2),
      '≤ 1.25',
      verdictOf(`coldStart.${fn.name}.ratioToFloor`),
    ]);
    rows.push([
      '    against the first-use floor',
      ms(c?.ms),
      c
        ? `first-use floor ${ms(c.firstUseFloorMs)}, ${mib(c.firstUseFloorRssMb)} [${interval(c.ratioToFirstUseFloorInterval) ?? '—'}]`
        : '',
      fmt(c?.ratioToFirstUseFloor, 2),
      '≤ 1.05',
      verdictOf(`coldStart.${fn.name}.ratioToFirstUseFloor`),
    ]);
    rows.push([
      '    against the first-request floor',
      ms(c?.ms),
      c
        ? `same calls as the first request ${ms(c.firstRequestFloorMs)} [${interval(c.ratioToFirstRequestFloorInterval) ?? '—'}]`
        : '',
      fmt(c?.ratioToFirstRequestFloor, 2),
      '≤ 1.05',
      verdictOf(`coldStart.${fn.name}.ratioToFirstRequestFloor`),
    ]);
    if (FIRST_VALIDATION[fn.name]) {
      const v = c?.validation;
      rows.push([
        `    … plus ${FIRST_VALIDATION[fn.name] === 'queue' ? "the queue settings'" : "the brand's"} validation alone`,
        ms(c?.ms),
        v
          ? `+ schema ${ms(v.buildMs)}, first parse ${ms(v.firstParseMs)} [${interval(v.ratioToFirstRequestFloorPlusValidationInterval) ?? '—'}]`
          : '',
        fmt(v?.ratioToFirstRequestFloorPlusValidation, 2),
        '≤ 1.05',
        verdictOf(`coldStart.${fn.name}.ratioToFirstRequestFloorPlusValidation`),
      ]);
    }
  }
  rows.push([
    '  googleapis bundle, loaded alone',
    cs && cs.googleapisMs !== null ? `${ms(cs.googleapisMs)}, ${mib(cs.googleapisRssMb)}` : '—',
    cs && cs.googleapisMs === null ? `not measured: ${cs.googleapisNote ?? ''}`.slice(0, 60) : '',
    '',
    '',
    '',
  ]);
  rows.push([
    '  SDKs beyond what each function imports',
    r.targets.find((t) => t.figure.startsWith('coldStart.*.sdks'))?.value ?? '—',
    '',
    '',
    'none',
    verdictOf('coldStart.*.sdks (no SDK a function does not use)'),
  ]);

  const e = r.e2e;
  section(
    `End to end, emulators (${e?.rounds ?? 1} × ${e?.conversations ?? 20} customers × ${e?.turns ?? 5} turns per chain, rounds alternating, POST → first reply at stand-in)`,
  );
  rows.push([
    '  p50',
    ms(e?.p50Ms),
    `no-op chain: ${ms(e?.baselineP50Ms)}`,
    fmt(e?.ratioP50, 2),
    '≤ 1.3',
    verdictOf('e2e.ratioP50'),
  ]);
  rows.push([
    '  p99',
    ms(e?.p99Ms),
    `no-op chain: ${ms(e?.baselineP99Ms)}`,
    fmt(e?.ratioP99, 2),
    '≤ 2.5',
    verdictOf('e2e.p99Ms vs 2.5 × baselineP99Ms'),
  ]);

  const m = r.embedded;
  section('Embedded (one process, in-memory bus and store)');
  rows.push(['  p50 (same traffic)', ms(m?.p50Ms), '', '', '≤ 20 ms', verdictOf('embedded.p50Ms')]);
  rows.push(['  p99 (same traffic)', ms(m?.p99Ms), '', '', '', '']);
  rows.push([
    '  throughput, customer msg/s',
    fmt(m?.msgPerSec),
    m ? `${fmt(m.throughputMessages)} msgs in ${fmt(m.throughputSeconds, 2)} s` : '',
    '',
    '≥ 1000',
    verdictOf('embedded.msgPerSec'),
  ]);

  const d = r.devLoop;
  section('The developer loop (an embedded stack running)');
  rows.push([
    "  npm run simulate, nothing changed: to the customer's line",
    ms(d?.simulateSecondRunMs),
    d ? `bare node -e: ${ms(d.bareNodeMs)}` : '',
    d ? fmt(d.simulateSecondRunMs / d.bareNodeMs, 1) : '',
    '≤ 1,500 ms',
    verdictOf('devLoop.simulateSecondRunMs'),
  ]);

  const a = r.console;
  section('Agent console (headless Chromium, embedded stack)');
  rows.push([
    '  webhook POST → text in the transcript, p50',
    ms(a?.messageToScreenP50Ms),
    a ? `bare GET /events reader: ${ms(a.baselineStreamP50Ms)}` : '',
    a ? fmt(a.messageToScreenP50Ms / a.baselineStreamP50Ms, 2) : '',
    '≤ 300 ms',
    verdictOf('console.messageToScreenP50Ms'),
  ]);
  rows.push([
    '  webhook POST → text in the transcript, p95',
    ms(a?.messageToScreenP95Ms),
    a ? `bare GET /events reader: ${ms(a.baselineStreamP95Ms)}` : '',
    a ? fmt(a.messageToScreenP95Ms / a.baselineStreamP95Ms, 2) : '',
    '≤ 1,000 ms',
    verdictOf('console.messageToScreenP95Ms'),
  ]);
  rows.push([
    `  first paint, ${a?.firstPaintQueued ?? 50} queued`,
    ms(a?.firstPaintMs),
    a ? `page alone (DOMContentLoaded): ${ms(a.baselineDomContentLoadedMs)}` : '',
    '',
    '≤ 1,000 ms',
    verdictOf('console.firstPaintMs'),
  ]);
  rows.push([
    '  JS + CSS, gzipped',
    a ? `${fmt(a.bundleGzipBytes)} B` : '—',
    a ? `JS ${fmt(a.bundleJsGzipBytes)} B, CSS ${fmt(a.bundleCssGzipBytes)} B` : '',
    '',
    '≤ 60 KB',
    verdictOf('console.bundleGzipBytes'),
  ]);

  const c = r.cost;
  section('Cost per customer message (end-to-end run, counted in each function process)');
  rows.push([
    '  USD per 1,000 customer messages',
    usd(c?.usdPer1kMessages),
    c ? `floor: ${usd(c.floorUsdPer1kMessages)}` : '',
    fmt(c?.ratioToFloor, 2),
    '≤ 1.5',
    verdictOf('cost.ratioToFloor'),
  ]);
  for (const part of COST_PARTS) {
    rows.push([
      `    ${PART_LABELS[part]}`,
      usd(c?.usdPer1kMessagesParts[part]),
      c ? `floor: ${usd(c.floorUsdPer1kMessagesParts[part])}` : '',
      '',
      '',
      '',
    ]);
  }
  rows.push([
    '  Firestore writes',
    fmt(c?.firestoreWrites, 2),
    c ? `floor: ${fmt(c.floorFirestore.writes)}` : '',
    '',
    '≤ 4',
    verdictOf('cost.firestoreWrites per message'),
  ]);
  rows.push([
    '  Firestore reads',
    fmt(c?.firestoreReads, 2),
    c ? `floor: ${fmt(c.floorFirestore.reads)}` : '',
    '',
    '≤ 4',
    verdictOf('cost.firestoreReads per message'),
  ]);
  rows.push(['  Firestore deletes', fmt(c?.firestoreDeletes, 2), '', '', '', '']);
  rows.push([
    '  function invocations',
    fmt(c?.invocations, 2),
    c ? `no-op chain: ${fmt(c.baselineInvocations, 2)}` : '',
    '',
    '≤ 4.2',
    verdictOf('cost.invocations per message'),
  ]);
  rows.push([
    '  billable instance time (≥ 1 request in flight)',
    ms1(c?.billableMs),
    c ? `no-op chain: ${ms1(c.baselineBillableMs)}` : '',
    c ? fmt(c.billableMs / c.baselineBillableMs, 2) : '',
    '',
    '',
  ]);
  rows.push([
    '  log bytes (stdout + stderr)',
    c ? `${fmt(c.logBytes)} B` : '—',
    c ? `no-op chain: ${fmt(c.baselineLogBytes)} B` : '',
    '',
    '',
    '',
  ]);
  rows.push([
    '  Pub/Sub billable bytes (publish + push)',
    c ? `${fmt(c.pubsubBillableBytes)} B` : '—',
    c ? `no-op chain: ${fmt(c.baselinePubsubBillableBytes)} B` : '',
    c ? fmt(c.pubsubBillableBytes / c.baselinePubsubBillableBytes, 2) : '',
    '',
    '',
  ]);
  out.push(
    formatTable(['figure', 'value', 'baseline (same run)', 'ratio', 'target', 'result'], rows),
  );

  if (cs) {
    out.push('', 'SDK packages in require.cache after the first request (copy owner in brackets):');
    for (const fn of FUNCTIONS) {
      const f = cs[fn.name];
      if (f) out.push(`  ${fn.name.padEnd(11)} ${f.sdks.join(', ') || '(none)'}`);
    }
  }
  if (e && Object.keys(e.cpuSeconds).length > 0) {
    const cpu = (m: Record<string, number>) =>
      Object.entries(m)
        .filter(([, s]) => s > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([label, s]) => `${label} ${fmt(s, 1)}`)
        .join(', ');
    out.push(
      '',
      `CPU seconds used during the measured end-to-end runs (${mc.cores} cores):`,
      `  product, ${fmt(e.wallSeconds, 1)} s wall: ${cpu(e.cpuSeconds)}`,
      `  no-op chain, ${fmt(e.baselineWallSeconds, 1)} s wall: ${cpu(e.baselineCpuSeconds)}`,
    );
  }
  if (c) {
    const perFunction = (
      entries: [string, CostFigures['perFunction'][string]][],
      dollars: Record<string, number>,
    ) =>
      formatTable(
        [
          '  function',
          'invocations',
          'reads',
          'writes',
          'commits',
          'mean answer',
          'max in flight',
          'billable',
          'log bytes',
          'Pub/Sub bytes',
          'USD per 1k',
        ],
        entries
          .filter(([, f]) => f.invocations > 0)
          .map(([name, f]) => [
            `  ${name}`,
            fmt(f.invocations, 2),
            fmt(f.firestoreReads, 2),
            fmt(f.firestoreWrites, 2),
            fmt(f.firestoreCommits, 2),
            ms(f.meanServiceMs),
            fmt(f.maxInFlight),
            ms1(f.billableMs),
            fmt(f.logBytes),
            fmt(f.pubsubBillableBytes),
            usd(dollars[name]),
          ]),
      );
    const sizes = Object.entries(c.pricedAs)
      .map(([name, p]) => `${name} ${fmt(p.vCpu, 2)} vCPU ${fmt(p.memoryGiB, 2)} GiB`)
      .join(', ');
    out.push(
      '',
      'Per customer message, per function, during the measured end-to-end run (Firestore documents; billable = time with a request in flight):',
      perFunction(Object.entries(c.perFunction), c.usdPer1kMessagesPerFunction),
      '',
      'The same for the no-op chain:',
      perFunction(Object.entries(c.baselinePerFunction), c.floorUsdPer1kMessagesPerFunction),
      '',
      `Instance time priced at the size cloudbuild.yaml deploys: ${sizes}.`,
      `Floor = no-op chain + ${c.floorFirestore.reads} Firestore read and ${c.floorFirestore.writes} writes per customer message; prices: functions/local/bench/prices.json (free tiers ignored).`,
    );
  }
  const passed = r.targets.filter((t) => t.verdict === 'PASS').length;
  const missed = r.targets.filter((t) => t.verdict === 'MISS');
  out.push(
    '',
    `targets: ${passed} PASS, ${missed.length} MISS, ${r.targets.length - passed - missed.length} N/A` +
      (missed.length ? ` — missed: ${missed.map((t) => t.figure).join(', ')}` : ''),
  );
  for (const error of r.errors) out.push(`error: ${error}`);
  out.push(`wall time: ${fmt(r.wallSeconds)} s`);
  return out.join('\n');
}

/**
 * Numbers rounded for the JSON file (ms and ratios don't need 15 digits); dollar figures (any
 * key with `usd` in its name, and what is under it) are kept exact, since they run down to
 * millionths of a cent and are not to be rounded.
 */
export function roundDeep(value: unknown, digits = 2): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    const f = 10 ** digits;
    return Math.round(value * f) / f;
  }
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, /usd/i.test(k) ? exact(v) : roundDeep(v, digits)]),
    );
  }
  return value;
}

/** Unrounded, with non-finite numbers as null (JSON has no NaN). */
function exact(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(exact);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exact(v)]));
  }
  return value;
}

/** The markers of the README's benchmark summary, which a full run rewrites. */
export const README_BEGIN = '<!-- bench:begin (written by npm run bench; do not edit) -->';
export const README_END = '<!-- bench:end -->';

/** The targets as a Markdown table, with the machine and the commit measured. */
export function renderMarkdownSummary(r: BenchResults, commit: string | undefined): string {
  const mc = r.machine;
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `Latest full run: ${mc.date.slice(0, 10)}${commit ? `, commit ${commit}` : ''}, ${mc.cpuModel}, ${mc.cores} cores, Node ${mc.node}. Every figure beside its baseline: \`bench-results.json\` and [functions/local/bench/README.md](functions/local/bench/README.md).`,
    '',
    '| figure | value | target | result |',
    '| --- | --- | --- | --- |',
    ...r.targets.map(
      (t) => `| \`${cell(t.figure)}\` | ${cell(t.value)} | ${cell(t.target)} | ${t.verdict} |`,
    ),
    ...costPerMillion(r),
  ].join('\n');
}

/** What 1 million customer messages cost, by part, beside the floor: the README's cost table. */
function costPerMillion(r: BenchResults): string[] {
  const c = r.cost;
  if (!c || !finite(c.usdPer1kMessages)) return [];
  const million = (perThousand: number) => usd(perThousand * 1000);
  const share = (part: number) => `${fmt((100 * part) / c.usdPer1kMessages)} %`;
  const parts = [...COST_PARTS].sort(
    (x, y) => c.usdPer1kMessagesParts[y] - c.usdPer1kMessagesParts[x],
  );
  return [
    '',
    "What 1 million customer messages cost at Google's list prices (`functions/local/bench/prices.json`, free tiers ignored), measured in the same run, beside the floor (the same hops doing nothing, plus the least Firestore work exactly-once needs):",
    '',
    '| where the money goes | per 1 million messages | share | floor |',
    '| --- | --- | --- | --- |',
    ...parts.map(
      (part) =>
        `| ${PART_LABELS[part]} | ${million(c.usdPer1kMessagesParts[part])} | ${share(c.usdPer1kMessagesParts[part])} | ${million(c.floorUsdPer1kMessagesParts[part])} |`,
    ),
    `| **total** | **${million(c.usdPer1kMessages)}** | | **${million(c.floorUsdPer1kMessages)}** (×${fmt(c.ratioToFloor, 2)}) |`,
  ];
}

/**
 * `document` with what lies between the markers replaced by `content`; unchanged (and
 * `replaced: false`) when the markers are missing or out of order.
 */
export function rewriteMarkedSection(
  document: string,
  content: string,
): { text: string; replaced: boolean } {
  const begin = document.indexOf(README_BEGIN);
  const end = document.indexOf(README_END);
  if (begin < 0 || end < begin) return { text: document, replaced: false };
  return {
    text: `${document.slice(0, begin + README_BEGIN.length)}\n\n${content}\n\n${document.slice(end)}`,
    replaced: true,
  };
}
