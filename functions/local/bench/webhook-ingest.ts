import { PubSub } from '@google-cloud/pubsub';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { freePort } from '../emulators';
import { waitUntilAnswering } from '../processes';
import { createTopology } from '../topology';
import { spawnNode } from './children';
import { descendantsCpu } from './cpu-usage';
import { benchFile, frameworkMain, functionEnv, type BenchContext } from './context';
import { PARTNER_KEY, signedPool, webhookHeaders } from './fixtures';
import { median } from './stats';

/**
 * Webhook ingest: autocannon (in this process) against a functions-framework process serving
 * (a) the webhook on the in-memory bus, (b) the deployed webhook on the Pub/Sub emulator,
 * (c) a bare function that only answers 200, (d) the publish-only floor (servers/publish-floor.ts:
 * the bare function plus the webhook's publish, on the same emulator). Same pre-signed pool of
 * realistic events (varied conversation and request IDs), same connections and durations for each.
 */
export interface IngestRun {
  /** CPU the server and this process (the client) used per request during the measured run. */
  serverCpuUsPerRequest: number;
  clientCpuUsPerRequest: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface WebhookFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  bareRps: number;
  bareP50Ms: number;
  bareP99Ms: number;
  /**
   * The median of the rounds' own ratios (each webhook round over the bare round run next to it,
   * so a machine whose speed drifts moves both of a pair alike), with the range of those ratios.
   */
  ratioToBare: number;
  ratioToBareRange: [number, number];
  emulatorRps: number;
  emulatorP50Ms: number;
  emulatorP99Ms: number;
  /** The publish-only floor on the same emulator, topic and load as the deployed webhook. */
  publishFloorRps: number;
  publishFloorP50Ms: number;
  publishFloorP99Ms: number;
  connections: number;
  durationSeconds: number;
  /**
   * Alternating measured runs of each webhook and its baseline: the in-memory webhook with the
   * bare function, the emulator webhook with the publish-only floor (figures are means).
   */
  rounds: number;
  /** Server CPU per request (µs): where the webhook's time goes beyond the framework's. */
  serverCpuUsPerRequest: number;
  bareServerCpuUsPerRequest: number;
  emulatorServerCpuUsPerRequest: number;
  /** What the publish alone costs the deployed webhook's process, per request (µs). */
  publishFloorCpuUsPerRequest: number;
  /**
   * The webhook's server CPU per request ÷ the floor's, round by round (each webhook round over
   * the floor's next to it): the median, and the range. The webhook's own work.
   */
  ratioToPublishFloor: number;
  ratioToPublishFloorRange: [number, number];
  /** The client's CPU per request against the bare function (autocannon in this process). */
  bareClientCpuUsPerRequest: number;
}

const CONNECTIONS = 10;
/** Unmeasured load on the baseline between the warm-ups and the first round. */
const REWARM_SECONDS = 3;

export async function benchWebhookIngest(context: BenchContext): Promise<WebhookFigures> {
  const duration = context.quick ? 3 : 4;
  // Seconds of unmeasured load per server before its pair's rounds. With 2 s, a fresh webhook's
  // first round still ran at 0.7 of its later ones (its code and heap still warming up, which a
  // bare function barely has), and that was counted against it. On a fresh Pub/Sub emulator (a
  // JVM still compiling) the first seconds of publishing also cost the publisher far more CPU.
  const warmup = context.quick ? 1 : 10;
  // On the emulator, 30 s: run alone for a minute, the deployed webhook's CPU per request fell
  // from ~2,000 µs in its first 5 s to a steady ~700 µs only after 30–40 s (the publish-only
  // floor's after ~15 s), so with 10 s its first measured rounds cost up to 1.6 × the floor's.
  const emulatorWarmup = context.quick ? 2 : 30;
  const pool = signedPool(1000, 200);
  const requests = pool.map((event) => ({
    method: 'POST',
    path: '/',
    headers: webhookHeaders(event),
    body: event.body,
  }));
  const projectId = `bench-ingest-${randomBytes(4).toString('hex')}`;
  const admin = new PubSub({ projectId, apiEndpoint: context.emulators.pubsubHost });
  await createTopology(admin, { projectId, endpoints: {} });
  await admin.close();

  const start = async (name: string, target: string, source: string | undefined) => {
    const port = await freePort();
    const child = spawnNode({
      name: `ingest-${name}`,
      args: [
        frameworkMain(context.root),
        `--target=${target}`,
        '--signature-type=http',
        `--port=${port}`,
        ...(source ? [`--source=${source}`] : []),
      ],
      env: functionEnv(context, projectId, {
        FUNCTION_TARGET: target,
        BM_PARTNER_KEY: PARTNER_KEY,
        PORT: String(port),
      }),
      cwd: context.root,
      logDir: context.workDir,
    });
    const url = `http://127.0.0.1:${port}/`;
    await waitUntilAnswering(url, child, 60_000);
    return { name, child, url };
  };
  type Server = Awaited<ReturnType<typeof start>>;

  const measure = async (server: Server): Promise<IngestRun> => {
    const serverCpu = () => descendantsCpu().find((p) => p.pid === server.child.pid)?.seconds ?? 0;
    const serverBefore = serverCpu();
    const clientBefore = process.cpuUsage();
    const r = await autocannon({ url: server.url, connections: CONNECTIONS, duration, requests });
    const client = process.cpuUsage(clientBefore);
    const run: IngestRun = {
      serverCpuUsPerRequest: ((serverCpu() - serverBefore) * 1e6) / r.requests.total,
      clientCpuUsPerRequest: (client.user + client.system) / r.requests.total,
      rps: r.requests.total / r.duration,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      requests: r.requests.total,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
    };
    context.say(
      `  ${server.name.padEnd(22)} ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50Ms} ms  p99 ${run.p99Ms} ms  (${run.requests} requests, ${run.non2xx} non-2xx, ${run.errors} errors; CPU per request: server ${run.serverCpuUsPerRequest.toFixed(0)} µs, client ${run.clientCpuUsPerRequest.toFixed(0)} µs)`,
    );
    if (run.non2xx > 0 || run.errors > 0) {
      throw new Error(`${server.name}: ${run.non2xx} non-2xx answers and ${run.errors} errors`);
    }
    return run;
  };

  // Each webhook and its baseline are measured in alternating rounds, so drift in the machine's
  // speed during the run (it is shared, and a VM) falls on both alike; figures are the means.
  // Every other round measures the subject first (baseline, subject, subject, baseline…), so a
  // steady drift does not favour whichever is measured first.
  // Six short rounds rather than two long ones: this VM's speed drifts by a third within a
  // minute, and more, shorter alternations average that out; round by round ratios, of which
  // the median is taken, keep one disturbed round from deciding the figure.
  const rounds = context.quick ? 1 : 6;
  const alternate = async (baseline: Server, subject: Server, warmupSeconds: number) => {
    const load = (server: Server, seconds: number) =>
      autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds, requests });
    await load(baseline, warmupSeconds);
    await load(subject, warmupSeconds);
    // The baseline sat idle through the subject's warm-up, and a server idle for half a minute
    // answers its next seconds of load far dearer (its first round cost 1,349 µs a request
    // against 496–691 µs later, V8 having shrunk its heap meanwhile): loaded again, briefly,
    // right before the rounds, as every server is between its rounds.
    await load(baseline, REWARM_SECONDS);
    const baselineEntry = { server: baseline, runs: [] as IngestRun[] };
    const subjectEntry = { server: subject, runs: [] as IngestRun[] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [baselineEntry, subjectEntry] : [subjectEntry, baselineEntry];
      for (const entry of order) entry.runs.push(await measure(entry.server));
    }
    // Round by round: the subject's over the baseline's next to it, for rates and CPU alike.
    const paired = (pick: (run: IngestRun) => number) => {
      const ratios = subjectEntry.runs.map((run, i) => {
        const next = baselineEntry.runs[i];
        return next ? pick(run) / pick(next) : Number.NaN;
      });
      return {
        median: median(ratios) ?? Number.NaN,
        range: [Math.min(...ratios), Math.max(...ratios)] as [number, number],
      };
    };
    return {
      baseline: meanRun(baselineEntry.runs),
      subject: meanRun(subjectEntry.runs),
      rps: paired((run) => run.rps),
      cpu: paired((run) => run.serverCpuUsPerRequest),
    };
  };

  const servers: Server[] = [];
  const started = async (name: string, target: string, source: string | undefined) => {
    const server = await start(name, target, source);
    servers.push(server);
    return server;
  };
  let inMemory: Alternated;
  let onEmulator: Alternated;
  try {
    inMemory = await alternate(
      await started('bare function', 'bare', benchFile('servers/bare.js')),
      await started('webhook, in-memory bus', 'webhook', benchFile('servers/webhook-in-memory.js')),
      warmup,
    );
    // One pair alive at a time, as before this pair existed: each is measured with only the
    // client and the emulators beside it.
    await Promise.all(servers.splice(0).map((s) => s.child.stop()));
    // The floor and the deployed webhook get the same environment from `start` (emulator,
    // project, topic), so the only difference between their figures is the webhook's own work.
    onEmulator = await alternate(
      await started('publish-only floor', 'publishFloor', benchFile('servers/publish-floor.js')),
      await started('webhook, Pub/Sub emul.', 'webhook', undefined),
      emulatorWarmup,
    );
  } finally {
    await Promise.all(servers.map((s) => s.child.stop()));
  }
  return figures(inMemory, onEmulator, { duration, rounds });
}

/** A webhook's and its baseline's rounds: means, and the medians of the rounds' own ratios. */
interface Alternated {
  baseline: IngestRun;
  subject: IngestRun;
  /** The median of the rounds' own ratios (subject ÷ baseline), and their range. */
  rps: { median: number; range: [number, number] };
  cpu: { median: number; range: [number, number] };
}

function figures(
  inMemory: Alternated,
  onEmulator: Alternated,
  load: { duration: number; rounds: number },
): WebhookFigures {
  const { baseline: bare, subject: memory } = inMemory;
  const { baseline: floor, subject: emulator } = onEmulator;
  return {
    rps: memory.rps,
    p50Ms: memory.p50Ms,
    p99Ms: memory.p99Ms,
    bareRps: bare.rps,
    bareP50Ms: bare.p50Ms,
    bareP99Ms: bare.p99Ms,
    ratioToBare: inMemory.rps.median,
    ratioToBareRange: inMemory.rps.range,
    emulatorRps: emulator.rps,
    emulatorP50Ms: emulator.p50Ms,
    emulatorP99Ms: emulator.p99Ms,
    publishFloorRps: floor.rps,
    publishFloorP50Ms: floor.p50Ms,
    publishFloorP99Ms: floor.p99Ms,
    connections: CONNECTIONS,
    durationSeconds: load.duration,
    rounds: load.rounds,
    serverCpuUsPerRequest: memory.serverCpuUsPerRequest,
    bareServerCpuUsPerRequest: bare.serverCpuUsPerRequest,
    emulatorServerCpuUsPerRequest: emulator.serverCpuUsPerRequest,
    publishFloorCpuUsPerRequest: floor.serverCpuUsPerRequest,
    ratioToPublishFloor: onEmulator.cpu.median,
    ratioToPublishFloorRange: onEmulator.cpu.range,
    bareClientCpuUsPerRequest: bare.clientCpuUsPerRequest,
  };
}

function meanRun(runs: readonly IngestRun[]): IngestRun {
  const mean = (pick: (r: IngestRun) => number) =>
    runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
  return {
    serverCpuUsPerRequest: mean((r) => r.serverCpuUsPerRequest),
    clientCpuUsPerRequest: mean((r) => r.clientCpuUsPerRequest),
    rps: mean((r) => r.rps),
    p50Ms: mean((r) => r.p50Ms),
    p99Ms: mean((r) => r.p99Ms),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}
