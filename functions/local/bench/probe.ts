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
 *   documents returned by queries (at least 1 per query, as billed), and documents written or
 *   deleted by successful `commit`/`batchWrite` calls (a transaction's count once, when it
 *   commits). What the cost model (dollars.ts) prices is counted here too:
 *   - billable instance time under request-based billing: the time at least one request is in
 *     flight (the union of request intervals, from the request's arrival to its response
 *     closing), and the number of such busy periods;
 *   - log bytes: everything written to stdout and stderr, which Cloud Run sends to Cloud Logging;
 *   - Pub/Sub throughput: publish RPCs and their messages, and push deliveries received, each
 *     request billed at least `BENCH_PROBE_PUBSUB_MIN_BYTES` (Pub/Sub's minimum per request,
 *     from prices.json) and each message as data + attribute keys and values + ordering key +
 *     20 bytes of timestamp (+ the message ID, on pushes, where it is known).
 *
 * - `BENCH_PROBE_CPU_PROF_DIR=…`: CPU-profiles the whole process (what `--cpu-prof` does, which
 *   NODE_OPTIONS refuses) into `<dir>/<name>.cpuprofile` when it exits.
 *
 * The report also lists which SDK packages are in `require.cache`, and whether the product's
 * own code (anything outside node_modules) required them directly.
 */
import fs, { writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector';
import Module from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { zeroCounters, type ProbeCounters } from './probe-counters';
import { loadedSdks, type SdkUse } from './sdk-usage';

export type { ProbeCounters };

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
  const counters: ProbeCounters = zeroCounters();
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

  const busyNow = process.env.BENCH_PROBE_COUNT === '1' ? installCounters(counters) : () => 0;
  const profileDir = process.env.BENCH_PROBE_CPU_PROF_DIR;
  if (profileDir) profileUntilExit(path.join(profileDir, `${name}.cpuprofile`));

  const report = (): ProbeReport => ({
    type: 'report',
    name,
    pid: process.pid,
    rssBytes: process.memoryUsage.rss(),
    sdks: loadedSdks(),
    // A reading taken mid-request still counts the busy time so far, so differences add up.
    counters: { ...counters, busyMs: counters.busyMs + busyNow(), rpcs: { ...counters.rpcs } },
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

/** Installs the counters; returns the open busy period's length so far, ms (0 when idle). */
function installCounters(counters: ProbeCounters): () => number {
  const minimumBytes = Number(process.env.BENCH_PROBE_PUBSUB_MIN_BYTES ?? '0') || 0;
  const serverProto = http.Server.prototype as unknown as { emit: AnyFn };
  const emit = serverProto.emit;
  let inFlight = 0;
  let busySince = 0;
  serverProto.emit = function (this: unknown, ...args: unknown[]) {
    if (args[0] === 'request') {
      counters.requests++;
      const arrived = performance.now();
      if (inFlight === 0) busySince = arrived;
      inFlight++;
      counters.maxInFlight = Math.max(counters.maxInFlight, inFlight);
      const req = args[1] as http.IncomingMessage & { rawBody?: Buffer };
      (args[2] as http.ServerResponse).once('close', () => {
        const closed = performance.now();
        inFlight--;
        counters.requestMs += closed - arrived;
        if (inFlight === 0) {
          const busy = closed - busySince;
          counters.busyMs += busy;
          counters.busyPeriods++;
          counters.busyMsRoundedUp += Math.ceil(busy / 100) * 100;
        }
        // functions-framework keeps the body it parsed; a push is one delivered message.
        const pushed = pushedMessageBytes(req.rawBody);
        if (pushed !== undefined) {
          counters.pubsubPushes++;
          counters.pubsubPushBytes += pushed;
          counters.pubsubPushBillableBytes += Math.max(minimumBytes, pushed);
        }
      });
    }
    return emit.apply(this, args);
  };

  // Log bytes: what the process hands to stdout and stderr, counted before it is written.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as AnyFn;
    (stream as unknown as { write: AnyFn }).write = function (this: unknown, ...args: unknown[]) {
      const chunk = args[0];
      if (typeof chunk === 'string') {
        const encoding = typeof args[1] === 'string' ? (args[1] as BufferEncoding) : 'utf8';
        counters.logBytes += Buffer.byteLength(chunk, encoding);
        counters.logLines += countNewlines(chunk);
      } else if (chunk instanceof Uint8Array) {
        counters.logBytes += chunk.byteLength;
        counters.logLines += countNewlines(
          Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
        );
      }
      return write(...args);
    };
  }

  // The product's logger writes whole lines straight to fd 1 with fs.writeSync (never through
  // process.stdout): count those too. CommonJS callers look `writeSync` up on the module object
  // at each call, so replacing it there sees every write.
  const fsModule = fs as unknown as { writeSync: AnyFn };
  const fsWriteSync = fsModule.writeSync;
  fsModule.writeSync = function (this: unknown, ...args: unknown[]) {
    const [fd, data, offset, length] = args;
    if (fd === 1 || fd === 2) {
      if (typeof data === 'string') {
        counters.logBytes += Buffer.byteLength(data);
        counters.logLines += countNewlines(data);
      } else if (data instanceof Uint8Array) {
        const start = typeof offset === 'number' ? offset : 0;
        const end = typeof length === 'number' ? start + length : data.byteLength;
        const part = Buffer.from(data.buffer, data.byteOffset + start, end - start);
        counters.logBytes += part.byteLength;
        counters.logLines += countNewlines(part);
      }
    }
    return fsWriteSync.apply(this, args);
  };

  // Firestore and Pub/Sub are patched when (if) the function loads them, so a process that
  // never uses one never loads it because of the probe.
  const loader = Module as unknown as { _load: AnyFn };
  const load = loader._load;
  let firestorePatched = false;
  let pubsubPatched = false;
  loader._load = function (this: unknown, ...args: unknown[]) {
    const exported = load.apply(this, args);
    if (!firestorePatched && args[0] === '@google-cloud/firestore') {
      firestorePatched = true;
      patchFirestore(exported as FirestoreModule, counters);
    }
    if (!pubsubPatched && args[0] === '@google-cloud/pubsub') {
      pubsubPatched = true;
      patchPubSub(exported as PubSubModule, counters, minimumBytes);
    }
    return exported;
  };
  return () => (inFlight > 0 ? performance.now() - busySince : 0);
}

const countNewlines = (text: string | Buffer): number => {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

/** Pub/Sub's data volume of one message: data, attributes, ordering key, 20 B of timestamp. */
function messageBytes(message: {
  data: number;
  attributes?: Record<string, string> | null;
  orderingKey?: string | null;
  messageId?: string | null;
}): number {
  let bytes = message.data + 20;
  for (const [key, value] of Object.entries(message.attributes ?? {})) {
    bytes += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  if (message.orderingKey) bytes += Buffer.byteLength(message.orderingKey);
  if (message.messageId) bytes += Buffer.byteLength(message.messageId);
  return bytes;
}

/** The data volume of the message in a Pub/Sub push body; undefined when it is not a push. */
function pushedMessageBytes(rawBody: Buffer | undefined): number | undefined {
  // A push body starts with {"message": or {"subscription":; anything else is not parsed.
  if (!rawBody || rawBody.length === 0 || rawBody.length > 1_000_000) return undefined;
  const head = rawBody.subarray(0, 20).toString('latin1');
  if (!/^\s*\{\s*"(message|subscription)"/.test(head)) return undefined;
  try {
    const body = JSON.parse(rawBody.toString('utf8')) as {
      message?: {
        data?: string;
        attributes?: Record<string, string>;
        orderingKey?: string;
        messageId?: string;
        message_id?: string;
      };
      subscription?: string;
    };
    const m = body.message;
    if (!m || typeof body.subscription !== 'string') return undefined;
    return messageBytes({
      data: Buffer.from(m.data ?? '', 'base64').length,
      attributes: m.attributes ?? null,
      orderingKey: m.orderingKey ?? null,
      messageId: m.messageId ?? m.message_id ?? null,
    });
  } catch {
    return undefined;
  }
}

interface PubSubModule {
  PubSub: { prototype: { request: AnyFn } };
}

/**
 * Every publish RPC goes through `PubSub.prototype.request` (topics bind it when constructed,
 * after this patch), with the batch it sends: one request, billed at least the minimum.
 */
function patchPubSub(module: PubSubModule, counters: ProbeCounters, minimumBytes: number): void {
  const proto = module.PubSub.prototype;
  const request = proto.request;
  proto.request = function (this: unknown, ...args: unknown[]) {
    const config = args[0] as
      | {
          method?: string;
          reqOpts?: {
            messages?: {
              data?: Uint8Array | string | null;
              attributes?: Record<string, string> | null;
              orderingKey?: string | null;
            }[];
          };
        }
      | undefined;
    if (config?.method === 'publish') {
      const messages = config.reqOpts?.messages ?? [];
      let bytes = 0;
      for (const m of messages) {
        bytes += messageBytes({
          data:
            typeof m.data === 'string'
              ? Buffer.from(m.data, 'base64').length
              : (m.data?.byteLength ?? 0),
          attributes: m.attributes ?? null,
          orderingKey: m.orderingKey ?? null,
        });
      }
      counters.pubsubPublishRequests++;
      counters.pubsubPublishMessages += messages.length;
      counters.pubsubPublishBytes += bytes;
      counters.pubsubPublishBillableBytes += Math.max(minimumBytes, bytes);
    }
    return request.apply(this, args);
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
      const all = (args[1] as { writes?: { delete?: unknown }[] } | undefined)?.writes ?? [];
      // A delete is billed at the delete price, not as a write.
      const deletes = all.filter((w) => Boolean(w?.delete)).length;
      result.then(
        () => {
          counters.firestoreCommits++;
          counters.firestoreWrites += all.length - deletes;
          counters.firestoreDeletes += deletes;
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
