/**
 * A `--require` preload for the benchmark's child processes. It changes nothing in the product
 * and loads only Node's own modules, so it can sit in front of a function without skewing its
 * cold start. Activated by `BENCH_PROBE_NAME` (or, with `BENCH_PROBE_DIR`, by `FUNCTION_TARGET`);
 * otherwise it does nothing (e.g. in the stand-in, which inherits NODE_OPTIONS from the stack).
 *
 * - `BENCH_PROBE_FD=3`: writes one JSON line there when the first server listens
 *   (`{"type":"listening"}`), and the report on SIGUSR2.
 * - `BENCH_PROBE_DIR=…`: writes `<name>.pid` at start and `<name>.json` (the report) on SIGUSR2.
 * - `BENCH_PROBE_COUNT=1`: counts HTTP requests served (function invocations) and Firestore
 *   RPCs: documents requested by `batchGetDocuments` (found or missing; billed either way),
 *   documents returned by queries (at least 1 per query, as billed), and documents written by
 *   successful `commit`/`batchWrite` calls (a transaction's writes count once, when it commits).
 *
 * - `BENCH_PROBE_CPU_PROF_DIR=…`: CPU-profiles the whole process (what `--cpu-prof` does, which
 *   NODE_OPTIONS refuses) into `<dir>/<name>.cpuprofile` when it exits.
 *
 * The report also lists which SDK packages are in `require.cache`, and whether the product's
 * own code (anything outside node_modules) required them directly.
 */
import { writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector';
import Module from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadedSdks, type SdkUse } from './sdk-usage';

export interface ProbeCounters {
  requests: number;
  /** Most requests in flight at once (push concurrency the function was given). */
  maxInFlight: number;
  /** Sum of the requests' durations, arrival to response closed, in ms. */
  requestMs: number;
  firestoreReads: number;
  firestoreWrites: number;
  firestoreCommits: number;
  firestoreFailedCommits: number;
  firestoreQueries: number;
  rpcs: Record<string, number>;
}

export interface ProbeReport {
  type: 'report';
  name: string;
  pid: number;
  rssBytes: number;
  sdks: SdkUse[];
  counters: ProbeCounters;
}

function install(): void {
  // In the emulator stack every function inherits the same NODE_OPTIONS: named by its target.
  const name =
    process.env.BENCH_PROBE_NAME ||
    (process.env.BENCH_PROBE_DIR ? process.env.FUNCTION_TARGET : undefined);
  if (!name) return;
  const fd = process.env.BENCH_PROBE_FD ? Number(process.env.BENCH_PROBE_FD) : undefined;
  const dir = process.env.BENCH_PROBE_DIR;
  const counters: ProbeCounters = {
    requests: 0,
    maxInFlight: 0,
    requestMs: 0,
    firestoreReads: 0,
    firestoreWrites: 0,
    firestoreCommits: 0,
    firestoreFailedCommits: 0,
    firestoreQueries: 0,
    rpcs: {},
  };
  const send = (message: object) => {
    if (fd === undefined) return;
    try {
      writeSync(fd, `${JSON.stringify(message)}\n`);
    } catch {
      // The parent has gone; nothing to tell.
    }
  };

  // The first server that listens is the function's (functions-framework's main).
  let announced = false;
  const netProto = net.Server.prototype as unknown as { listen: (...args: unknown[]) => unknown };
  const listen = netProto.listen;
  netProto.listen = function (this: net.Server, ...args: unknown[]) {
    if (!announced) {
      this.once('listening', () => {
        if (announced) return;
        announced = true;
        const address = this.address();
        send({
          type: 'listening',
          port: typeof address === 'object' && address ? address.port : 0,
        });
      });
    }
    return listen.apply(this, args);
  };

  if (process.env.BENCH_PROBE_COUNT === '1') installCounters(counters);
  const profileDir = process.env.BENCH_PROBE_CPU_PROF_DIR;
  if (profileDir) profileUntilExit(path.join(profileDir, `${name}.cpuprofile`));

  const report = (): ProbeReport => ({
    type: 'report',
    name,
    pid: process.pid,
    rssBytes: process.memoryUsage.rss(),
    sdks: loadedSdks(),
    counters: { ...counters, rpcs: { ...counters.rpcs } },
  });
  if (dir) writeFileSync(path.join(dir, `${name}.pid`), String(process.pid));
  process.on('SIGUSR2', () => {
    const r = report();
    send(r);
    if (dir) writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(r));
  });
}

/** The in-thread inspector answers synchronously, so the profile can be written in 'exit'. */
function profileUntilExit(file: string): void {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

function installCounters(counters: ProbeCounters): void {
  const serverProto = http.Server.prototype as unknown as { emit: AnyFn };
  const emit = serverProto.emit;
  let inFlight = 0;
  serverProto.emit = function (this: unknown, ...args: unknown[]) {
    if (args[0] === 'request') {
      counters.requests++;
      inFlight++;
      counters.maxInFlight = Math.max(counters.maxInFlight, inFlight);
      const arrived = performance.now();
      (args[2] as http.ServerResponse).once('close', () => {
        inFlight--;
        counters.requestMs += performance.now() - arrived;
      });
    }
    return emit.apply(this, args);
  };

  // Firestore is patched when (if) the function loads it, so a process that never uses it
  // never loads it because of the probe.
  const loader = Module as unknown as { _load: AnyFn };
  const load = loader._load;
  let patched = false;
  loader._load = function (this: unknown, ...args: unknown[]) {
    const exported = load.apply(this, args);
    if (!patched && args[0] === '@google-cloud/firestore') {
      patched = true;
      patchFirestore(exported as FirestoreModule, counters);
    }
    return exported;
  };
}

interface FirestoreModule {
  Firestore: { prototype: { request: AnyFn; requestStream: AnyFn } };
  Query: { prototype: { get: AnyFn } };
}

function patchFirestore(module: FirestoreModule, counters: ProbeCounters): void {
  const rpc = (method: string) => {
    counters.rpcs[method] = (counters.rpcs[method] ?? 0) + 1;
  };
  const proto = module.Firestore.prototype;
  const request = proto.request;
  proto.request = function (this: unknown, ...args: unknown[]) {
    const method = String(args[0]);
    rpc(method);
    const result = request.apply(this, args) as Promise<unknown>;
    if (method === 'commit' || method === 'batchWrite') {
      const writes = (args[1] as { writes?: unknown[] } | undefined)?.writes?.length ?? 0;
      result.then(
        () => {
          counters.firestoreCommits++;
          counters.firestoreWrites += writes;
        },
        () => {
          counters.firestoreFailedCommits++;
        },
      );
    }
    return result;
  };
  const requestStream = proto.requestStream;
  proto.requestStream = function (this: unknown, ...args: unknown[]) {
    const method = String(args[0]);
    rpc(method);
    if (method === 'batchGetDocuments') {
      counters.firestoreReads +=
        (args[2] as { documents?: unknown[] } | undefined)?.documents?.length ?? 0;
    }
    return requestStream.apply(this, args);
  };
  const queryProto = module.Query.prototype;
  const get = queryProto.get;
  queryProto.get = function (this: unknown, ...args: unknown[]) {
    const result = get.apply(this, args) as Promise<{ size: number }>;
    result.then(
      (snapshot) => {
        counters.firestoreQueries++;
        counters.firestoreReads += Math.max(1, snapshot.size);
      },
      () => undefined,
    );
    return result;
  };
}

install();
