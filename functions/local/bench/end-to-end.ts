import { PubSub } from '@google-cloud/pubsub';
import { createWriteStream, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '../emulators';
import { waitUntilAnswering } from '../processes';
import type { FunctionName } from '../stack/config';
import { stackConfigOnFreePorts, startEmulatorStack } from '../stack/emulator-stack';
import { seedLocalData } from '../stack/seed';
import { createTopology } from '../topology';
import { onCleanup, spawnNode, type BenchChild } from './children';
import { benchFile, frameworkMain, functionEnv, type BenchContext } from './context';
import { driveConversations, type DriveResult } from './conversations';
import { cpuBetween, descendantsCpu } from './cpu-usage';
import { costPerMessage, difference, emptyCounters, readCounters, type CostFigures } from './cost';
import { loadDeployedResources } from './deployed-resources';
import { dollarFigures, type DollarFigures } from './dollars';
import { loadPrices, pricesFile } from './prices';
import { percentile, ratio } from './stats';

/**
 * End to end on the emulators: the product as `npm start` runs it (every function in its own
 * functions-framework process, push subscriptions with ordering, the stand-in in its own
 * process), then the no-op chain with the same hops, same emulators, same traffic:
 * `conversations` customers in parallel, `turns` messages each (see conversations.ts).
 *
 * Hops of a customer message to its reply, in both:
 *   webhook ─publish▶ inbound ─push▶ classifier ─publish▶ automation ─push▶ automation
 *   ─publish▶ outbound ─push▶ sender ─HTTP▶ stand-in
 * i.e. 3 publishes, 3 pushes and the API call; the reply's first message follows the typing
 * indicator through the outbound hop, in both.
 */
export const CONVERSATIONS = 20;
export const TURNS = 5;
/** The deployed function each no-op stands for: its instance time is priced at that size. */
const NOOP_STANDS_FOR: Record<string, FunctionName> = {
  'noop-webhook': 'webhook',
  'noop-classifier': 'classifier',
  'noop-automation': 'automation',
  'noop-sender': 'sender',
};
const FUNCTION_NAMES: readonly FunctionName[] = [
  'webhook',
  'classifier',
  'automation',
  'liveAgent',
  'agentApi',
  'sender',
];

export interface EndToEndFigures {
  p50Ms: number;
  p99Ms: number;
  baselineP50Ms: number;
  baselineP99Ms: number;
  ratioP50: number;
  ratioP99: number;
  conversations: number;
  turns: number;
  /** Measured rounds per chain, alternating (product, no-op, no-op, product, …). */
  rounds: number;
  samples: number;
  /** Every turn's latency, in the order turns completed. */
  samplesMs: number[];
  baselineSamplesMs: number[];
  /** Wall time of the measured run, and CPU seconds each process used during it. */
  wallSeconds: number;
  baselineWallSeconds: number;
  cpuSeconds: Record<string, number>;
  baselineCpuSeconds: Record<string, number>;
}

export interface EndToEndResult {
  e2e: EndToEndFigures;
  cost: CostFigures;
  /** The same counts for the no-op chain, for comparison. */
  baselineCost: CostFigures;
  /** Both priced (dollars.ts): USD per 1,000 customer messages, and the floor. */
  dollars: DollarFigures;
}

/**
 * Rounds of the measured traffic per chain, alternating product and no-op chain (A B B A): the
 * p99 is the burst of each round's 20 first turns, so one round per chain made it the second
 * slowest of 100 turns, and the machine's drift between the two chains' runs decided the ratio.
 */
export const ROUNDS = 2;

export async function benchEndToEnd(context: BenchContext): Promise<EndToEndResult> {
  const timeoutMs = 180_000;
  // Warm-up traffic per chain, unmeasured: as many customers as a measured round, so each
  // function has run its new-conversation path and its usual one some dozens of times (V8
  // optimises hot functions after that) before a turn counts. With 4 × 2, the product's first
  // round ran at p50 285 ms and its second at 251 ms, while the no-ops' were the same.
  const warm = { conversations: CONVERSATIONS, turns: 2 };
  const rounds = context.quick ? 1 : ROUNDS;
  // Read before anything starts: a bad price file or deploy step fails the section at once.
  const prices = loadPrices(pricesFile(context.root));
  const resources = loadDeployedResources(context.root);
  const pubsubMinimum = String(prices.items.pubsubThroughput.minimumBytesPerRequest);

  const children: BenchChild[] = [];
  let stopStack: () => Promise<void> = () => Promise.resolve();
  const unregister = onCleanup(() => stopStack());
  const stackLog = createWriteStream(path.join(context.workDir, 'e2e-stack.log'));
  try {
    // Both chains stay up for the whole section, on the same emulators, each with a project of
    // its own; only the one being driven has traffic.
    const product = await startProduct(context, pubsubMinimum, stackLog, (stop) => {
      stopStack = stop;
    });
    const noop = await startNoopChain(context, pubsubMinimum, children);
    const chains = [product, noop] as const;
    for (const chain of chains) await driveConversations({ ...chain.drive, ...warm, timeoutMs });

    // Counters are running totals per process, and the idle chain's do not move: each chain's
    // from before its first round to after its last are its rounds' and nothing else.
    const countersBefore = await Promise.all(chains.map((c) => readCounters(c.probeDir, c.names)));
    const runs = new Map<Chain, RoundRun[]>(chains.map((c) => [c, []]));
    const order: Chain[] = [];
    for (let round = 0; round < rounds; round++) {
      order.push(...(round % 2 === 0 ? [product, noop] : [noop, product]));
    }
    for (const chain of order) {
      const idle = new Set(chains.filter((c) => c !== chain).flatMap((c) => [...c.pids]));
      const cpuBefore = descendantsCpu();
      const selfBefore = process.cpuUsage();
      const driven = await driveConversations({
        ...chain.drive,
        conversations: CONVERSATIONS,
        turns: TURNS,
        timeoutMs,
      });
      // The idle chain's processes are left out: only this chain and the emulators worked.
      const cpu = cpuBetween(
        cpuBefore,
        descendantsCpu().filter((p) => !idle.has(p.pid)),
        process.cpuUsage(selfBefore),
      );
      runs.get(chain)?.push({ driven, cpu });
    }
    const countersAfter = await Promise.all(chains.map((c) => readCounters(c.probeDir, c.names)));
    const messages = CONVERSATIONS * TURNS * rounds;
    const [cost, baselineCost] = chains.map((chain, i) =>
      costPerMessage(
        Object.fromEntries(
          chain.names.map((n) => [
            n,
            difference(
              countersAfter[i]?.[n] ?? emptyCounters(),
              countersBefore[i]?.[n] ?? emptyCounters(),
            ),
          ]),
        ),
        messages,
      ),
    ) as [CostFigures, CostFigures];

    const productRuns = runs.get(product) ?? [];
    const noopRuns = runs.get(noop) ?? [];
    const p = merged(productRuns);
    const b = merged(noopRuns);
    context.say(
      `  product on emulators: p50 ${p.p50} ms, p99 ${p.p99} ms over ${p.latenciesMs.length} turns in ${rounds} round(s) (${p.wallSeconds.toFixed(1)} s)`,
    );
    context.say(`    CPU s: ${describeCpu(p.cpu)}`);
    context.say(
      `  no-op chain:          p50 ${b.p50} ms, p99 ${b.p99} ms over ${b.latenciesMs.length} turns in ${rounds} round(s) (${b.wallSeconds.toFixed(1)} s)`,
    );
    context.say(`    CPU s: ${describeCpu(b.cpu)}`);

    const dollars = dollarFigures({
      product: cost.perFunction,
      noopChain: baselineCost.perFunction,
      entryPointOf: (name) => NOOP_STANDS_FOR[name] ?? name,
      resources,
      prices,
    });
    context.say(
      `  cost: $${dollars.usdPer1kMessages.toPrecision(4)} per 1,000 customer messages; floor $${dollars.floorUsdPer1kMessages.toPrecision(4)} (×${dollars.ratioToFloor.toFixed(2)})`,
    );

    return {
      e2e: {
        p50Ms: p.p50,
        p99Ms: p.p99,
        baselineP50Ms: b.p50,
        baselineP99Ms: b.p99,
        ratioP50: ratio(p.p50, b.p50) ?? Number.NaN,
        ratioP99: ratio(p.p99, b.p99) ?? Number.NaN,
        conversations: CONVERSATIONS,
        turns: TURNS,
        rounds,
        samples: p.latenciesMs.length,
        samplesMs: p.latenciesMs,
        baselineSamplesMs: b.latenciesMs,
        wallSeconds: p.wallSeconds,
        baselineWallSeconds: b.wallSeconds,
        cpuSeconds: p.cpu,
        baselineCpuSeconds: b.cpu,
      },
      cost,
      baselineCost,
      dollars,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await stopStack();
    unregister();
    stackLog.end();
  }
}

/** A chain under test: where to drive it, what its probe counts, which processes are not its. */
interface Chain {
  drive: { webhookUrl: string; standinUrl: string };
  probeDir: string;
  names: readonly string[];
  /** Its processes (function processes and stand-in; the emulators are shared). */
  pids: ReadonlySet<number>;
}

interface RoundRun {
  driven: DriveResult;
  cpu: Record<string, number>;
}

/** A chain's rounds as one: every latency, wall time and CPU seconds summed. */
function merged(runs: readonly RoundRun[]) {
  const latenciesMs = runs.flatMap((r) => r.driven.latenciesMs);
  const cpu: Record<string, number> = {};
  for (const run of runs) {
    for (const [label, seconds] of Object.entries(run.cpu)) {
      cpu[label] = (cpu[label] ?? 0) + seconds;
    }
  }
  return {
    latenciesMs,
    p50: percentile(latenciesMs, 50) ?? Number.NaN,
    p99: percentile(latenciesMs, 99) ?? Number.NaN,
    wallSeconds: runs.reduce((sum, r) => sum + r.driven.wallMs, 0) / 1000,
    cpu,
  };
}

/** The product as `npm start` runs it, each function process carrying the counting probe. */
async function startProduct(
  context: BenchContext,
  pubsubMinimum: string,
  stackLog: NodeJS.WritableStream,
  onStop: (stop: () => Promise<void>) => void,
): Promise<Chain> {
  const probe = benchFile('probe.js');
  const probeDir = path.join(context.workDir, 'probe-e2e');
  mkdirSync(probeDir, { recursive: true });
  const projectId = `bench-e2e-${randomBytes(4).toString('hex')}`;
  const config = await stackConfigOnFreePorts(projectId, 'verbose');
  // The stack gives its children this process's environment: the probe rides along in it.
  const saved = { ...process.env };
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  process.env.NODE_OPTIONS = `--require=${probe}`;
  if (profileDir) process.env.BENCH_PROBE_CPU_PROF_DIR = profileDir;
  process.env.BENCH_PROBE_DIR = probeDir;
  process.env.BENCH_PROBE_COUNT = '1';
  process.env.BENCH_PROBE_PUBSUB_MIN_BYTES = pubsubMinimum;
  const before = new Set(descendantsCpu().map((p) => p.pid));
  const stack = await (async () => {
    try {
      return await startEmulatorStack(config, {
        root: context.root,
        seed: seedLocalData,
        // The functions' log lines, for looking into slow turns afterwards.
        output: (line) => stackLog.write(`${line}\n`),
        onStop,
        emulators: context.emulators,
      });
    } finally {
      for (const key of [
        'NODE_OPTIONS',
        'BENCH_PROBE_DIR',
        'BENCH_PROBE_COUNT',
        'BENCH_PROBE_PUBSUB_MIN_BYTES',
        'BENCH_PROBE_CPU_PROF_DIR',
      ]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  })();
  if (stack.skipped.length > 0) {
    throw new Error(`functions not built: ${stack.skipped.join(', ')}`);
  }
  // What the stack started, and nothing that ran before it (the emulators).
  const mine = new Set(
    descendantsCpu()
      .map((p) => p.pid)
      .filter((pid) => !before.has(pid)),
  );
  return {
    drive: { webhookUrl: stack.urls.webhook ?? '', standinUrl: stack.urls.standin ?? '' },
    probeDir,
    names: FUNCTION_NAMES,
    pids: mine,
  };
}

/** The no-op chain with the same hops, on the same emulators, in a project of its own. */
async function startNoopChain(
  context: BenchContext,
  pubsubMinimum: string,
  children: BenchChild[],
): Promise<Chain> {
  const probe = benchFile('probe.js');
  const baselineDir = path.join(context.workDir, 'probe-baseline');
  mkdirSync(baselineDir, { recursive: true });
  const baselineProject = `bench-noop-${randomBytes(4).toString('hex')}`;
  const standinPort = await freePort();
  const standinUrl = `http://127.0.0.1:${standinPort}/`;
  const standin = spawnNode({
    name: 'noop-standin',
    args: [path.join(context.root, 'dist/functions/local/bm-api-standin/main.js')],
    env: functionEnv(context, baselineProject, {
      BM_STANDIN_PORT: String(standinPort),
      BM_STANDIN_HOST: '127.0.0.1',
    }),
    cwd: context.root,
    logDir: context.workDir,
  });
  children.push(standin);
  const noop = async (
    name: string,
    target: string,
    signature: string,
    extra: NodeJS.ProcessEnv,
  ) => {
    const port = await freePort();
    const child = spawnNode({
      name,
      args: [
        '-r',
        probe,
        frameworkMain(context.root),
        `--target=${target}`,
        `--signature-type=${signature}`,
        `--port=${port}`,
        `--source=${benchFile('servers/noop-chain.js')}`,
      ],
      env: functionEnv(context, baselineProject, {
        FUNCTION_TARGET: target,
        PORT: String(port),
        BM_API_ROOT_URL: standinUrl,
        BENCH_PROBE_NAME: name,
        BENCH_PROBE_DIR: baselineDir,
        BENCH_PROBE_COUNT: '1',
        BENCH_PROBE_PUBSUB_MIN_BYTES: pubsubMinimum,
        ...extra,
      }),
      cwd: context.root,
      logDir: context.workDir,
    });
    children.push(child);
    return { name, child, url: `http://127.0.0.1:${port}/` };
  };
  const hops = [
    await noop('noop-webhook', 'noopWebhook', 'http', {}),
    await noop('noop-classifier', 'noopRelay', 'cloudevent', { BENCH_NOOP_NEXT: 'automation' }),
    await noop('noop-automation', 'noopRelay', 'cloudevent', {
      BENCH_NOOP_NEXT: 'outbound',
      BENCH_NOOP_FANOUT: 'turn',
    }),
    await noop('noop-sender', 'noopSender', 'cloudevent', {}),
  ] as const;
  await Promise.all([
    waitUntilAnswering(`${standinUrl}healthz`, standin, 60_000),
    ...hops.map((h) => waitUntilAnswering(h.url, h.child, 60_000)),
  ]);
  const admin = new PubSub({
    projectId: baselineProject,
    apiEndpoint: context.emulators.pubsubHost,
  });
  await createTopology(admin, {
    projectId: baselineProject,
    endpoints: { classifier: hops[1].url, automation: hops[2].url, sender: hops[3].url },
  });
  await admin.close();
  return {
    drive: { webhookUrl: hops[0].url, standinUrl },
    probeDir: baselineDir,
    names: hops.map((h) => h.name),
    pids: new Set(children.map((c) => c.pid)),
  };
}

const describeCpu = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .sort((a, b) => b[1] - a[1])
    .map(([label, seconds]) => `${label} ${seconds.toFixed(2)}`)
    .join(', ');
