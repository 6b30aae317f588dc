import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FirestoreBrandDirectory } from '../../adapters/firestore-brand-directory';
import { FirestoreConversationStore } from '../../adapters/firestore-conversation-store';
import { makeAutomationHandler } from '../../automation/handler';
import { makeClassifierHandler } from '../../classifier/handler';
import { parseInboundEvent } from '../../core/inbound-event';
import { sha256Digest } from '../../platform/digest';
import { newTraceId } from '../../platform/entry';
import { createLogger } from '../../platform/logger';
import { toPubSubCloudEvent } from '../../platform/pubsub-cloud-event';
import type { EventBus, OutgoingMessage, Topic } from '../../ports/event-bus';
import { keywordIntentMatcher } from '../../ports/intent-matcher';
import { createStandin } from '../bm-api-standin/server';
import { freePort } from '../emulators';
import { DEV_AGENT_TOKEN } from '../sample-agents';
import { SAMPLE_BRAND_FILE, seedSampleBrand } from '../sample-brand';
import { FUNCTIONS, type FunctionName } from '../stack/config';
import { createTopology } from '../topology';
import { residentMb, spawnNode, type BenchChild } from './children';
import { benchFile, frameworkMain, functionEnv, type BenchContext } from './context';
import { pushRequest, signedEvent, type BusMessage, type SignedEvent } from './fixtures';
import type { GoogleapisInstall } from './googleapis';
import type { ProbeReport } from './probe';
import { declaredSdks, type SdkUse } from './sdk-usage';
import { FIRST_VALIDATION } from './first-request-validation';
import { median, pairedRatio, type MedianEstimate } from './stats';

/**
 * Cold start of every function: the median of fresh `node` processes (functions-framework's
 * main, `--target` and FUNCTION_TARGET, the emulators' hosts, METADATA_SERVER_DETECTION=none),
 * timed from spawn until the function has answered its first request, a real one (below), and
 * its resident memory then (VmRSS). Beside each, its floor: functions-framework plus the SDK
 * packages the function's code imports, loaded but unused, answering the same request trivially.
 * A probe preload (probe.ts, in both) says when the server listens, so the request goes out at
 * once, and reports which SDK packages are in require.cache after the first request.
 */
export const FIRST_REQUEST: Record<FunctionName, string> = {
  webhook: 'POST / with a signed text event of a new conversation (published to inbound)',
  classifier:
    'push of that inbound event: brand settings read, conversation transaction (it creates the conversation), publish to automation',
  automation:
    'push of the routed event the classifier published: brand read, the bot’s messages published to outbound one after another (a hit records no outcome; the routed event says the conversation is new)',
  liveAgent:
    'push of a routed live-agent request: conversation read, feed notice written, brand read, queue notice published',
  agentApi: 'GET /conversations?state=queued with the dev agent token (Firestore query)',
  sender:
    "push of the bot's first text message (the window carried, not read): BM API call to the stand-in, its message-log entry created",
};

export type FloorUse =
  'firestore' | 'firestore-query' | 'firestore-write' | 'firestore-transaction' | 'pubsub' | 'api';

/** One minimal call with each SDK the first request uses: the first-use floor. */
export const FIRST_USES: Record<FunctionName, readonly FloorUse[]> = {
  webhook: ['pubsub'],
  classifier: ['firestore', 'pubsub'],
  automation: ['firestore', 'pubsub'],
  liveAgent: ['firestore', 'pubsub'],
  agentApi: ['firestore'],
  sender: ['firestore', 'api'],
};

/**
 * The calls the first request makes, in order, each the least of its kind: the first-request
 * floor. What a function's cold start has above it is what the product's own code adds (module
 * load, wiring, parsing, deciding, logging); what the first-use floor lacks is the first request's
 * own round trips (a transaction, several publishes), which are the function's work, not its
 * start. `publishes` is how many messages the bot's first answer is (counted in this run).
 */
export function firstRequestUses(fn: FunctionName, publishes: number): readonly FloorUse[] {
  switch (fn) {
    case 'webhook':
      return ['pubsub'];
    case 'classifier':
      return ['firestore', 'firestore-transaction', 'pubsub'];
    case 'automation':
      return ['firestore', ...Array.from({ length: publishes }, () => 'pubsub' as const)];
    case 'liveAgent':
      return ['firestore', 'firestore-write', 'firestore', 'pubsub'];
    case 'agentApi':
      return ['firestore-query'];
    case 'sender':
      return ['api', 'firestore-write'];
  }
}

/** One fresh process's brand validation: schema building and the first parse. */
interface ValidationSample {
  buildMs: number;
  firstParseMs: number;
}

export interface ColdStartFigure {
  ms: number;
  rssMb: number;
  floorMs: number;
  floorRssMb: number;
  ratioToFloor: number;
  /** The floor that also makes one minimal call with each SDK the first request uses. */
  firstUseFloorMs: number;
  firstUseFloorRssMb: number;
  ratioToFirstUseFloor: number;
  firstUses: readonly string[];
  /** The floor that makes the same calls as the first request, each the least of its kind. */
  firstRequestFloorMs: number;
  /**
   * Where the time goes, medians: spawn → listening (loading) and listening → answered (the
   * first request), for the function and for its first-request floor.
   */
  listenMs: number;
  firstAnswerMs: number;
  firstRequestFloorListenMs: number;
  firstRequestFloorAnswerMs: number;
  ratioToFirstRequestFloor: number;
  /**
   * The 95 % intervals of the two first-use ratios (`[low, high]`): each ratio is the median of
   * per-run ratios, the function's start over its floor's in the same run.
   */
  ratioToFirstUseFloorInterval: [number, number];
  ratioToFirstRequestFloorInterval: [number, number];
  /**
   * For a function that validates a brand on its first request (`FIRST_VALIDATION`): that
   * validation alone in a fresh process, medians (building the schema, its first parse), and the
   * cold start against the first-request floor plus it, paired run by run like the others.
   */
  validation?: {
    kind: 'brand' | 'queue';
    buildMs: number;
    firstParseMs: number;
    ratioToFirstRequestFloorPlusValidation: number;
    ratioToFirstRequestFloorPlusValidationInterval: [number, number];
  };
  firstRequestUses: readonly string[];
  /** SDK copies in require.cache after the first request. */
  sdks: string[];
  /** SDK packages the function's compiled code requires (what its floor loads). */
  declaredSdks: string[];
  /** Loaded by the product's code although the function's own modules don't import them. */
  unusedSdks: string[];
  samplesMs: number[];
  floorSamplesMs: number[];
  firstUseFloorSamplesMs: number[];
  firstRequestFloorSamplesMs: number[];
  firstRequest: string;
}

export type ColdStartFigures = Record<FunctionName, ColdStartFigure> & {
  googleapisMs: number | null;
  googleapisRssMb: number | null;
  googleapisNote?: string;
  runs: number;
};

interface FirstRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A function, its bare floor, its first-use floor, its first-request floor. */
type Kind = 'fn' | 'floor' | 'firstUse' | 'firstRequest';
const KINDS: readonly Kind[] = ['fn', 'floor', 'firstUse', 'firstRequest'];

interface Sample {
  ms: number;
  /** Spawn → listening: loading the code, before any request. */
  listenMs: number;
  rssMb: number;
  report: ProbeReport;
}

const silent = createLogger({
  project: 'bench',
  component: 'bench',
  logContent: false,
  write: () => undefined,
});

/** Keeps what a handler publishes, instead of publishing it. */
class CapturingBus implements EventBus {
  readonly published: { topic: Topic; message: OutgoingMessage }[] = [];
  publish(topic: Topic, message: OutgoingMessage): Promise<string> {
    this.published.push({ topic, message });
    return Promise.resolve(String(this.published.length));
  }
  take(topic: Topic, accept: (m: OutgoingMessage) => boolean = () => true): BusMessage {
    const found = this.published.find((p) => p.topic === topic && accept(p.message));
    if (!found) throw new Error(`nothing was published to ${topic}`);
    return found.message;
  }
}

export function sdkLabel(sdk: SdkUse): string {
  if (sdk.copy === sdk.package) return sdk.package;
  const owner = sdk.copy.slice(0, sdk.copy.lastIndexOf('/node_modules/'));
  return `${sdk.package} (${owner}'s copy)`;
}

export async function benchColdStart(
  context: BenchContext,
  googleapis: GoogleapisInstall,
): Promise<ColdStartFigures> {
  // Twenty-five: a cold start varies by ±25 % from one process to the next on this VM; with 9 runs
  // the 95 % interval of a ratio was ±10–20 % wide, too wide to decide a 5 % target, with 25 it
  // is ±3–7 %. It makes this the longest section (~8 minutes); BENCH_COLD_RUNS asks for fewer.
  const asked = Number(process.env.BENCH_COLD_RUNS);
  const runs = Number.isInteger(asked) && asked > 0 ? asked : context.quick ? 3 : 25;
  const projectId = `bench-cold-${randomBytes(4).toString('hex')}`;
  const admin = new PubSub({ projectId, apiEndpoint: context.emulators.pubsubHost });
  await createTopology(admin, { projectId, endpoints: {} });
  await admin.close();
  await seedSampleBrand({ firestoreHost: context.emulators.firestoreHost, projectId });
  const db = new Firestore({ projectId, host: context.emulators.firestoreHost, ssl: false });
  const standin = createStandin();
  const { url: standinUrl } = await standin.listen(0, '127.0.0.1');

  try {
    const now = () => new Date();
    const store = new FirestoreConversationStore(db, { now });
    const classify = async (event: SignedEvent): Promise<CapturingBus> => {
      const bus = new CapturingBus();
      const handler = makeClassifierHandler({
        store,
        brands: new FirestoreBrandDirectory(db),
        bus,
        log: silent,
        now,
        digest: sha256Digest,
      });
      await handler(
        toPubSubCloudEvent(`projects/${projectId}/topics/inbound`, {
          id: randomUUID(),
          data: Buffer.from(event.body),
          attributes: inboundAttributes(event),
          publishTime: now().toISOString(),
          orderingKey: event.conversationId,
        }),
      );
      return bus;
    };
    const answer = async (routed: BusMessage): Promise<CapturingBus> => {
      const bus = new CapturingBus();
      const handler = makeAutomationHandler({
        brands: new FirestoreBrandDirectory(db),
        matcher: keywordIntentMatcher,
        outcomes: store,
        history: store,
        bus,
        log: silent,
        now,
        digest: sha256Digest,
      });
      await handler(
        toPubSubCloudEvent(`projects/${projectId}/topics/automation`, {
          id: randomUUID(),
          data: toBytes(routed.data),
          attributes: routed.attributes,
          publishTime: now().toISOString(),
          ...(routed.orderingKey ? { orderingKey: routed.orderingKey } : {}),
        }),
      );
      return bus;
    };
    const push = (topic: Topic, message: BusMessage): FirstRequest => {
      const request = pushRequest(projectId, topic, message, randomUUID());
      return {
        method: 'POST',
        path: request.path,
        headers: { 'content-type': 'application/json' },
        body: request.body,
      };
    };
    const hello = () =>
      signedEvent(randomUUID(), { type: 'text', text: 'Hello! Are you open on Sunday?' });

    /** A fresh first request per run (state prepared in Firestore by the real handlers). */
    const prepare: Record<FunctionName, () => Promise<FirstRequest>> = {
      webhook: () => {
        const event = hello();
        return Promise.resolve({
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/json', 'x-goog-signature': event.signature },
          body: event.body,
        });
      },
      classifier: () => {
        const event = hello();
        return Promise.resolve(
          push('inbound', {
            data: event.body,
            attributes: inboundAttributes(event),
            orderingKey: event.conversationId,
          }),
        );
      },
      automation: async () => push('automation', (await classify(hello())).take('automation')),
      liveAgent: async () => {
        const event = signedEvent(randomUUID(), { type: 'live-agent' });
        return push('live-agent', (await classify(event)).take('live-agent'));
      },
      sender: async () => {
        const routed = (await classify(hello())).take('automation');
        const outbound = (await answer(routed)).take(
          'outbound',
          (m) => m.attributes.type === 'message',
        );
        return push('outbound', outbound);
      },
      agentApi: () =>
        Promise.resolve({
          method: 'GET',
          path: '/conversations?state=queued',
          headers: { authorization: `Bearer ${DEV_AGENT_TOKEN}` },
        }),
    };

    const once = async (
      name: string,
      args: string[],
      env: NodeJS.ProcessEnv,
      port: number,
      request: FirstRequest,
    ): Promise<Sample> => {
      const started = performance.now();
      const child = spawnNode({ name, args, env, cwd: context.root, logDir: context.workDir });
      try {
        await child.message('listening', 30_000);
        const listenMs = performance.now() - started;
        const res = await fetch(`http://127.0.0.1:${port}${request.path}`, {
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        const ms = performance.now() - started;
        const rssMb = residentMb(child.pid) ?? Number.NaN;
        if (!res.ok) {
          throw new Error(`${name}: first request answered ${res.status} ${text.slice(0, 300)}`);
        }
        return { ms, listenMs, rssMb, report: await probeReport(child) };
      } finally {
        await child.stop();
      }
    };

    // What the bot's first answer is, counted here rather than assumed.
    const botMessages = (await answer((await classify(hello())).take('automation'))).published
      .length;
    const requestUses = (fn: FunctionName) => firstRequestUses(fn, botMessages);

    const probe = benchFile('probe.js');
    const figures: Partial<Record<FunctionName, ColdStartFigure>> = {};
    const samples = new Map<FunctionName, Record<Kind, Sample[]>>();
    const validations = new Map<FunctionName, ValidationSample[]>();
    const validate = async (fn: FunctionName, kind: 'brand' | 'queue', run: number) => {
      const child = spawnNode({
        name: `validation-${fn}-${run + 1}`,
        args: [benchFile('servers/brand-validation.js')],
        env: { ...process.env, BENCH_VALIDATE: kind, BENCH_BRAND_FILE: SAMPLE_BRAND_FILE },
        cwd: context.root,
        logDir: context.workDir,
      });
      try {
        const sample = await child.message<{ type: 'validated' } & ValidationSample>(
          'validated',
          30_000,
        );
        validations.set(fn, [...(validations.get(fn) ?? []), sample]);
      } finally {
        await child.stop();
      }
    };
    const declared = new Map<FunctionName, string[]>();
    for (const fn of FUNCTIONS) {
      declared.set(
        fn.name,
        declaredSdks(path.join(context.root, 'dist/bundles', `${fn.folder}.js`), readText),
      );
      samples.set(fn.name, { fn: [], floor: [], firstUse: [], firstRequest: [] });
    }
    const measure = async (
      fn: (typeof FUNCTIONS)[number],
      kind: Kind,
      run: number,
      request: FirstRequest,
    ) => {
      const port = await freePort();
      const common = [
        '-r',
        probe,
        frameworkMain(context.root),
        `--signature-type=${fn.signature}`,
        `--port=${port}`,
      ];
      const floorEnv = (uses: readonly string[]) => ({
        FUNCTION_TARGET: 'floor',
        PORT: String(port),
        BM_API_ROOT_URL: standinUrl,
        BENCH_FLOOR_SDKS: (declared.get(fn.name) ?? []).join(','),
        BENCH_FLOOR_SIGNATURE: fn.signature,
        BENCH_FLOOR_USE: uses.join(','),
        BENCH_PROBE_NAME: `${kind}-${fn.name}`,
        BENCH_PROBE_FD: '3',
      });
      const [args, env] =
        kind === 'fn'
          ? [
              [...common, `--target=${fn.name}`],
              {
                FUNCTION_TARGET: fn.name,
                PORT: String(port),
                BM_API_ROOT_URL: standinUrl,
                BENCH_PROBE_NAME: fn.name,
                BENCH_PROBE_FD: '3',
              },
            ]
          : [
              [...common, '--target=floor', `--source=${benchFile('servers/floor.js')}`],
              floorEnv(
                kind === 'firstUse'
                  ? FIRST_USES[fn.name]
                  : kind === 'firstRequest'
                    ? requestUses(fn.name)
                    : [],
              ),
            ];
      const sample = await once(
        `${kind === 'fn' ? 'cold' : kind}-${fn.name}-${run + 1}`,
        args,
        functionEnv(context, projectId, env),
        port,
        request,
      );
      samples.get(fn.name)?.[kind].push(sample);
    };

    for (let run = 0; run < runs; run++) {
      for (const fn of FUNCTIONS) {
        const request = await prepare[fn.name]();
        // Rotate which goes first, so drift over the run affects all three alike.
        const order: Kind[] = KINDS.map((_, i, all) => all[(i + run) % all.length] as Kind);
        for (const kind of order) await measure(fn, kind, run, request);
        const validation = FIRST_VALIDATION[fn.name];
        if (validation) await validate(fn.name, validation, run);
      }
    }

    for (const fn of FUNCTIONS) {
      const kept = samples.get(fn.name) as Record<Kind, Sample[]>;
      const ms = median(kept.fn.map((s) => s.ms)) ?? Number.NaN;
      const floorMs = median(kept.floor.map((s) => s.ms)) ?? Number.NaN;
      const firstUseFloorMs = median(kept.firstUse.map((s) => s.ms)) ?? Number.NaN;
      const firstRequestFloorMs = median(kept.firstRequest.map((s) => s.ms)) ?? Number.NaN;
      // Ratios pair each start with its floor's in the same run (the order rotates per run), so
      // the machine's drift over the minutes of the run moves both of a pair alike.
      const paired = (floor: Sample[]) =>
        pairedRatio(
          kept.fn.map((s) => s.ms),
          floor.map((s) => s.ms),
        );
      const toFloor = paired(kept.floor);
      const toFirstUse = paired(kept.firstUse);
      const toFirstRequest = paired(kept.firstRequest);
      const interval = (e: MedianEstimate | undefined): [number, number] =>
        e ? [e.low, e.high] : [Number.NaN, Number.NaN];
      const validationKind = FIRST_VALIDATION[fn.name];
      const validated = validations.get(fn.name) ?? [];
      const toValidated =
        validationKind && validated.length === kept.firstRequest.length
          ? pairedRatio(
              kept.fn.map((s) => s.ms),
              kept.firstRequest.map((s, i) => {
                const v = validated[i] as ValidationSample;
                return s.ms + v.buildMs + v.firstParseMs;
              }),
            )
          : undefined;
      const last = kept.fn[kept.fn.length - 1] as Sample;
      const wanted = declared.get(fn.name) ?? [];
      figures[fn.name] = {
        ms,
        rssMb: median(kept.fn.map((s) => s.rssMb)) ?? Number.NaN,
        floorMs,
        floorRssMb: median(kept.floor.map((s) => s.rssMb)) ?? Number.NaN,
        ratioToFloor: toFloor?.median ?? Number.NaN,
        firstUseFloorMs,
        firstUseFloorRssMb: median(kept.firstUse.map((s) => s.rssMb)) ?? Number.NaN,
        ratioToFirstUseFloor: toFirstUse?.median ?? Number.NaN,
        ratioToFirstUseFloorInterval: interval(toFirstUse),
        firstUses: FIRST_USES[fn.name],
        firstRequestFloorMs,
        listenMs: median(kept.fn.map((s) => s.listenMs)) ?? Number.NaN,
        firstAnswerMs: median(kept.fn.map((s) => s.ms - s.listenMs)) ?? Number.NaN,
        firstRequestFloorListenMs: median(kept.firstRequest.map((s) => s.listenMs)) ?? Number.NaN,
        firstRequestFloorAnswerMs:
          median(kept.firstRequest.map((s) => s.ms - s.listenMs)) ?? Number.NaN,
        ratioToFirstRequestFloor: toFirstRequest?.median ?? Number.NaN,
        ratioToFirstRequestFloorInterval: interval(toFirstRequest),
        ...(validationKind && toValidated
          ? {
              validation: {
                kind: validationKind,
                buildMs: median(validated.map((v) => v.buildMs)) ?? Number.NaN,
                firstParseMs: median(validated.map((v) => v.firstParseMs)) ?? Number.NaN,
                ratioToFirstRequestFloorPlusValidation: toValidated.median,
                ratioToFirstRequestFloorPlusValidationInterval: interval(toValidated),
              },
            }
          : {}),
        firstRequestUses: requestUses(fn.name),
        sdks: last.report.sdks.map(sdkLabel),
        declaredSdks: wanted,
        unusedSdks: [
          ...new Set(
            kept.fn.flatMap((s) =>
              s.report.sdks.filter((u) => u.direct && !wanted.includes(u.package)).map(sdkLabel),
            ),
          ),
        ],
        samplesMs: kept.fn.map((s) => Math.round(s.ms)),
        floorSamplesMs: kept.floor.map((s) => Math.round(s.ms)),
        firstUseFloorSamplesMs: kept.firstUse.map((s) => Math.round(s.ms)),
        firstRequestFloorSamplesMs: kept.firstRequest.map((s) => Math.round(s.ms)),
        firstRequest: FIRST_REQUEST[fn.name],
      };
      const f = figures[fn.name];
      context.say(
        `  ${fn.name.padEnd(11)} ${ms.toFixed(0).padStart(5)} ms, floor ${floorMs.toFixed(0)} ms, first-use floor ${firstUseFloorMs.toFixed(0)} ms, first-request floor ${firstRequestFloorMs.toFixed(0)} ms; ${f?.rssMb.toFixed(0)} MiB`,
      );
      context.say(
        `  ${''.padEnd(11)} loading ${f?.listenMs.toFixed(0)} ms + first request ${f?.firstAnswerMs.toFixed(0)} ms; first-request floor ${f?.firstRequestFloorListenMs.toFixed(0)} + ${f?.firstRequestFloorAnswerMs.toFixed(0)} ms`,
      );
      if (f?.validation) {
        context.say(
          `  ${''.padEnd(11)} ${f.validation.kind} validation alone: schema ${f.validation.buildMs.toFixed(0)} ms + first parse ${f.validation.firstParseMs.toFixed(0)} ms; ×${f.validation.ratioToFirstRequestFloorPlusValidation.toFixed(2)} the first-request floor plus it`,
        );
      }
    }

    const reference = await googleapisReference(context, googleapis, runs);
    return {
      ...(figures as Record<FunctionName, ColdStartFigure>),
      ...reference,
      runs,
    };
  } finally {
    await standin.close();
    await db.terminate();
  }
}

async function googleapisReference(
  context: BenchContext,
  googleapis: GoogleapisInstall,
  runs: number,
): Promise<Pick<ColdStartFigures, 'googleapisMs' | 'googleapisRssMb' | 'googleapisNote'>> {
  if (!googleapis.ok) {
    return { googleapisMs: null, googleapisRssMb: null, googleapisNote: googleapis.reason };
  }
  const times: number[] = [];
  const rss: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child: BenchChild = spawnNode({
      name: `googleapis-${run + 1}`,
      args: [benchFile('servers/googleapis-only.js')],
      env: { ...functionEnv(context, 'bench'), BENCH_GOOGLEAPIS_DIR: googleapis.dir },
      cwd: context.root,
      logDir: context.workDir,
    });
    try {
      await child.message('ready', 60_000);
      times.push(performance.now() - started);
      rss.push(residentMb(child.pid) ?? Number.NaN);
    } finally {
      await child.stop();
    }
  }
  const ms = median(times) ?? Number.NaN;
  context.say(`  googleapis  ${ms.toFixed(0).padStart(5)} ms to load the bundle alone`);
  return {
    googleapisMs: ms,
    googleapisRssMb: median(rss) ?? null,
    googleapisNote: `process that only requires googleapis (${googleapis.dir})`,
  };
}

async function probeReport(child: BenchChild): Promise<ProbeReport> {
  const report = child.message<ProbeReport>('report', 10_000);
  process.kill(child.pid, 'SIGUSR2');
  return report;
}

function inboundAttributes(event: SignedEvent): Record<string, string> {
  const parsed = parseInboundEvent(JSON.parse(event.body), sha256Digest);
  if (!parsed.ok) throw new Error(`fixture event does not parse: ${parsed.reason}`);
  const e = parsed.event;
  return {
    brand: e.brandId,
    agent: e.agent,
    conversation: e.conversationId,
    kind: e.kind,
    dedupeKey: e.dedupeKey,
    traceId: newTraceId(),
    receivedAt: new Date().toISOString(),
  };
}

const toBytes = (data: string | Uint8Array): Uint8Array =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : data;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
