import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeCounters, ProbeReport } from './probe';
import { perUnit } from './stats';

/**
 * Cost per customer message, measured from outside the product: each function process of the
 * end-to-end run carries the probe (probe.ts) with counting on; its counters are read before and
 * after the measured traffic (SIGUSR2 → `<dir>/<function>.json`), and the difference divided by
 * the customer messages sent in between.
 */
export type Counters = Omit<ProbeCounters, 'rpcs'> & { rpcs: Record<string, number> };

export interface FunctionCost {
  invocations: number;
  /** Most pushes or requests it served at once (over its whole life). */
  maxInFlight: number;
  /** Mean time to answer one invocation during the run, ms. */
  meanServiceMs: number;
  firestoreReads: number;
  firestoreWrites: number;
  firestoreCommits: number;
}

export interface CostFigures {
  /** Per customer message. */
  firestoreReads: number;
  firestoreWrites: number;
  invocations: number;
  customerMessages: number;
  /** Per customer message, per function. */
  perFunction: Record<string, FunctionCost>;
  /** Firestore RPCs per customer message, all functions together. */
  rpcs: Record<string, number>;
}

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
      // Written with one synchronous call; a partial read is retried once.
      let report: ProbeReport;
      try {
        report = JSON.parse(readFileSync(reportFile, 'utf8')) as ProbeReport;
      } catch {
        await sleep(50);
        report = JSON.parse(readFileSync(reportFile, 'utf8')) as ProbeReport;
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
  return {
    requests: after.requests - before.requests,
    maxInFlight: after.maxInFlight,
    requestMs: after.requestMs - before.requestMs,
    firestoreReads: after.firestoreReads - before.firestoreReads,
    firestoreWrites: after.firestoreWrites - before.firestoreWrites,
    firestoreCommits: after.firestoreCommits - before.firestoreCommits,
    firestoreFailedCommits: after.firestoreFailedCommits - before.firestoreFailedCommits,
    firestoreQueries: after.firestoreQueries - before.firestoreQueries,
    rpcs,
  };
}

/** Per customer message, from each function's counters over the measured traffic. */
export function costPerMessage(
  deltas: Record<string, Counters>,
  customerMessages: number,
): CostFigures {
  const per = (n: number) => perUnit(n, customerMessages) ?? Number.NaN;
  const perFunction: Record<string, FunctionCost> = {};
  const rpcs: Record<string, number> = {};
  let reads = 0;
  let writes = 0;
  let invocations = 0;
  for (const [name, d] of Object.entries(deltas)) {
    perFunction[name] = {
      invocations: per(d.requests),
      maxInFlight: d.maxInFlight,
      meanServiceMs: d.requests > 0 ? d.requestMs / d.requests : Number.NaN,
      firestoreReads: per(d.firestoreReads),
      firestoreWrites: per(d.firestoreWrites),
      firestoreCommits: per(d.firestoreCommits),
    };
    reads += d.firestoreReads;
    writes += d.firestoreWrites;
    invocations += d.requests;
    for (const [rpc, n] of Object.entries(d.rpcs)) rpcs[rpc] = (rpcs[rpc] ?? 0) + n;
  }
  for (const key of Object.keys(rpcs)) rpcs[key] = per(rpcs[key] ?? 0);
  return {
    firestoreReads: per(reads),
    firestoreWrites: per(writes),
    invocations: per(invocations),
    customerMessages,
    perFunction,
    rpcs,
  };
}
