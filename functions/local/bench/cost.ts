import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { zeroCounters, type ProbeCounters } from './probe-counters';
import { perUnit } from './stats';

/**
 * Cost per customer message, measured from outside the product: each function process of the
 * end-to-end run carries the probe (probe.ts) with counting on; its counters are read before and
 * after the measured traffic (SIGUSR2 → `<dir>/<function>.json`), and the difference divided by
 * the customer messages sent in between.
 */
export type Counters = Omit<ProbeCounters, 'rpcs'> & { rpcs: Record<string, number> };

/** Counters of a process that has done nothing yet (a function never read, e.g.). */
export const emptyCounters = (): Counters => zeroCounters();

export interface FunctionCost {
  invocations: number;
  /** Most pushes or requests it served at once (over its whole life). */
  maxInFlight: number;
  /** Mean time to answer one invocation during the run, ms. */
  meanServiceMs: number;
  firestoreReads: number;
  firestoreWrites: number;
  firestoreDeletes: number;
  firestoreCommits: number;
  /**
   * Billable instance time under request-based billing, ms: time with at least one request in
   * flight (the union of request intervals), measured in the process.
   */
  billableMs: number;
  /** The same if each busy period were rounded up to 100 ms (an upper bound; not priced). */
  billableMsRoundedUp: number;
  /** Sum of request durations, ms: what billable time would be with no overlap at all. */
  requestMs: number;
  /** Bytes written to stdout and stderr (JSON log lines), and their lines. */
  logBytes: number;
  logLines: number;
  pubsubPublishRequests: number;
  pubsubPublishMessages: number;
  pubsubPushes: number;
  /** Pub/Sub message volume published and pushed, and the billable volume (with the minimum). */
  pubsubBytes: number;
  pubsubBillableBytes: number;
}

export interface CostFigures {
  /** Per customer message. */
  firestoreReads: number;
  firestoreWrites: number;
  firestoreDeletes: number;
  invocations: number;
  /** Billable instance time, all functions together, ms. */
  billableMs: number;
  logBytes: number;
  pubsubBillableBytes: number;
  customerMessages: number;
  /** Per customer message, per function. */
  perFunction: Record<string, FunctionCost>;
  /** Firestore RPCs per customer message, all functions together. */
  rpcs: Record<string, number>;
}

const count = z.number();
/** A probe report as written to `<name>.json`: only its counters are read. */
const ReportFile = z.object({
  counters: z.object({
    requests: count,
    maxInFlight: count,
    requestMs: count,
    busyMs: count,
    busyPeriods: count,
    busyMsRoundedUp: count,
    logBytes: count,
    logLines: count,
    pubsubPublishRequests: count,
    pubsubPublishMessages: count,
    pubsubPublishBytes: count,
    pubsubPublishBillableBytes: count,
    pubsubPushes: count,
    pubsubPushBytes: count,
    pubsubPushBillableBytes: count,
    firestoreReads: count,
    firestoreWrites: count,
    firestoreDeletes: count,
    firestoreCommits: count,
    firestoreFailedCommits: count,
    firestoreQueries: count,
    rpcs: z.record(z.string(), count),
  }) satisfies z.ZodType<Counters>,
});

/** Asks each named process for its counters and waits for them (bounded). */
export async function readCounters(
  dir: string,
  names: readonly string[],
  timeoutMs = 10_000,
): Promise<Record<string, Counters>> {
  const result: Record<string, Counters> = {};
  await Promise.all(
    names.map(async (name) => {
      const reportFile = path.join(dir, `${name}.json`);
      rmSync(reportFile, { force: true });
      const pid = Number(readFileSync(path.join(dir, `${name}.pid`), 'utf8'));
      process.kill(pid, 'SIGUSR2');
      const deadline = Date.now() + timeoutMs;
      while (!existsSync(reportFile)) {
        if (Date.now() > deadline) throw new Error(`${name} (pid ${pid}) sent no counters`);
        await sleep(20);
      }
      // Written with one synchronous call; a partial read is retried once. A report without
      // every counter (a stale build of the probe) is refused rather than read as zeros.
      const read = () => ReportFile.parse(JSON.parse(readFileSync(reportFile, 'utf8')));
      let report: z.infer<typeof ReportFile>;
      try {
        report = read();
      } catch {
        await sleep(50);
        report = read();
      }
      result[name] = report.counters;
    }),
  );
  return result;
}

export function difference(after: Counters, before: Counters): Counters {
  const rpcs: Record<string, number> = {};
  for (const key of new Set([...Object.keys(after.rpcs), ...Object.keys(before.rpcs)])) {
    rpcs[key] = (after.rpcs[key] ?? 0) - (before.rpcs[key] ?? 0);
  }
  const result: Counters = { ...after, rpcs };
  for (const key of Object.keys(after) as (keyof Counters)[]) {
    // Every counter is a running total except the most in flight, a high-water mark.
    if (key === 'rpcs' || key === 'maxInFlight') continue;
    result[key] = after[key] - (before[key] ?? 0);
  }
  return result;
}

/** Per customer message, from each function's counters over the measured traffic. */
export function costPerMessage(
  deltas: Record<string, Counters>,
  customerMessages: number,
): CostFigures {
  const per = (n: number) => perUnit(n, customerMessages) ?? Number.NaN;
  const perFunction: Record<string, FunctionCost> = {};
  const rpcs: Record<string, number> = {};
  const total = emptyCounters();
  for (const [name, d] of Object.entries(deltas)) {
    perFunction[name] = {
      invocations: per(d.requests),
      maxInFlight: d.maxInFlight,
      meanServiceMs: d.requests > 0 ? d.requestMs / d.requests : Number.NaN,
      firestoreReads: per(d.firestoreReads),
      firestoreWrites: per(d.firestoreWrites),
      firestoreDeletes: per(d.firestoreDeletes),
      firestoreCommits: per(d.firestoreCommits),
      billableMs: per(d.busyMs),
      billableMsRoundedUp: per(d.busyMsRoundedUp),
      requestMs: per(d.requestMs),
      logBytes: per(d.logBytes),
      logLines: per(d.logLines),
      pubsubPublishRequests: per(d.pubsubPublishRequests),
      pubsubPublishMessages: per(d.pubsubPublishMessages),
      pubsubPushes: per(d.pubsubPushes),
      pubsubBytes: per(d.pubsubPublishBytes + d.pubsubPushBytes),
      pubsubBillableBytes: per(d.pubsubPublishBillableBytes + d.pubsubPushBillableBytes),
    };
    for (const key of Object.keys(total) as (keyof Counters)[]) {
      if (key === 'rpcs' || key === 'maxInFlight') continue;
      total[key] += d[key];
    }
    for (const [rpc, n] of Object.entries(d.rpcs)) rpcs[rpc] = (rpcs[rpc] ?? 0) + n;
  }
  for (const key of Object.keys(rpcs)) rpcs[key] = per(rpcs[key] ?? 0);
  return {
    firestoreReads: per(total.firestoreReads),
    firestoreWrites: per(total.firestoreWrites),
    firestoreDeletes: per(total.firestoreDeletes),
    invocations: per(total.requests),
    billableMs: per(total.busyMs),
    logBytes: per(total.logBytes),
    pubsubBillableBytes: per(total.pubsubPublishBillableBytes + total.pubsubPushBillableBytes),
    customerMessages,
    perFunction,
    rpcs,
  };
}
