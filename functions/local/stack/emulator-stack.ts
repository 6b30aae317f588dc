import { PubSub } from '@google-cloud/pubsub';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, startEmulators } from '../emulators';
import {
  startProcess,
  stopProcess,
  waitUntilAnswering,
  waitUntilListening,
  type ManagedProcess,
} from '../processes';
import { createTopology } from '../topology';
import { FUNCTIONS, StackConfig } from './config';
import { formatLogLine } from './log-lines';
import type { Seeder } from './seed';

export interface RunningStack {
  urls: Record<string, string>;
  skipped: string[];
  stop(): Promise<void>;
  /** What each process has printed lately, printed or not (emulator mode). */
  recentOutput?(): Record<string, string>;
}

/**
 * The product as it runs in Google Cloud, on one machine: the emulators, every function in its
 * own functions-framework process (loading only its own SDKs, as deployed), Pub/Sub push
 * subscriptions between them, and the Business Messages API stand-in.
 */
export async function startEmulatorStack(
  config: StackConfig,
  options: {
    root: string;
    seed: Seeder;
    output: (line: string) => void;
    /** Receives the stop function before anything starts, so a Ctrl-C mid-start cleans up. */
    onStop: (stop: () => Promise<void>) => void;
    /** Emulators already running (tests, benchmarks): used as they are, and left running. */
    emulators?: { pubsubHost: string; firestoreHost: string };
    /** Told as each stage of the start begins. */
    progress?: (stage: string) => void;
  },
): Promise<RunningStack> {
  const host = config.BM_STACK_HOST;
  const children: ManagedProcess[] = [];
  let started: Awaited<ReturnType<typeof startEmulators>> | undefined;
  const stop = async () => {
    await Promise.all(children.map((c) => stopProcess(c)));
    await started?.stop();
  };
  options.onStop(stop);

  const progress = options.progress ?? (() => undefined);
  try {
    if (!options.emulators) progress('starting the Pub/Sub and Firestore emulators');
    const emulators =
      options.emulators ??
      (started = await startEmulators({
        pubsubPort: config.PUBSUB_EMULATOR_PORT,
        firestorePort: config.FIRESTORE_EMULATOR_PORT,
      }));
    const standinUrl = `http://${host}:${config.BM_STANDIN_PORT}/`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GOOGLE_CLOUD_PROJECT: config.GOOGLE_CLOUD_PROJECT,
      PUBSUB_EMULATOR_HOST: emulators.pubsubHost,
      FIRESTORE_EMULATOR_HOST: emulators.firestoreHost,
      BM_API_ROOT_URL: standinUrl,
      BM_PARTNER_KEY: config.BM_PARTNER_KEY,
      BM_CLIENT_TOKEN: config.BM_CLIENT_TOKEN,
      METADATA_SERVER_DETECTION: 'none',
    };
    // Until the stack is ready its output is only kept (for the error if a process dies); then
    // it is printed as BM_STACK_LOGS says.
    let live = false;
    const relay = (name: string) => (chunk: Buffer) => {
      if (!live) return;
      for (const line of chunk.toString().split('\n')) {
        const shown = formatLogLine(config.BM_STACK_LOGS, name, line);
        if (shown !== undefined) options.output(shown);
      }
    };
    progress(`starting ${FUNCTIONS.length} functions and the Business Messages API stand-in`);

    const standin = startProcess(
      'bm-api-standin',
      process.execPath,
      [path.join(options.root, 'dist/functions/local/bm-api-standin/main.js')],
      {
        env: { ...env, BM_STANDIN_PORT: String(config.BM_STANDIN_PORT), BM_STANDIN_HOST: host },
        onOutput: relay('bm-api'),
      },
    );
    children.push(standin);

    const frameworkMain = path.join(
      options.root,
      'node_modules/@google-cloud/functions-framework/build/src/main.js',
    );
    const urls: Record<string, string> = { standin: standinUrl };
    const skipped: string[] = [];
    const functions: { name: string; url: string; port: number; process: ManagedProcess }[] = [];
    for (const fn of FUNCTIONS) {
      if (!existsSync(path.join(options.root, 'dist/bundles', `${fn.folder}.js`))) {
        skipped.push(fn.name);
        continue;
      }
      const port = config[fn.port];
      const child = startProcess(
        fn.name,
        process.execPath,
        [
          frameworkMain,
          `--target=${fn.name}`,
          `--signature-type=${fn.signature}`,
          `--port=${port}`,
        ],
        { env: { ...env, FUNCTION_TARGET: fn.name, PORT: String(port) }, onOutput: relay(fn.name) },
      );
      children.push(child);
      const url = `http://${host}:${port}/`;
      urls[fn.name] = url;
      functions.push({ name: fn.name, url, port, process: child });
    }

    await Promise.all([
      waitUntilAnswering(`${standinUrl}healthz`, standin),
      ...functions.map((f) => waitUntilListening(host, f.port, f.process)),
    ]);
    progress('creating topics and push subscriptions, seeding the sample brands and agents');

    const admin = new PubSub({
      projectId: config.GOOGLE_CLOUD_PROJECT,
      apiEndpoint: emulators.pubsubHost,
    });
    await createTopology(admin, { projectId: config.GOOGLE_CLOUD_PROJECT, endpoints: urls });
    await admin.close();
    await options.seed({
      firestoreHost: emulators.firestoreHost,
      projectId: config.GOOGLE_CLOUD_PROJECT,
    });

    live = true;
    return {
      urls: { ...urls, pubsub: emulators.pubsubHost, firestore: emulators.firestoreHost },
      skipped,
      stop,
      recentOutput: () =>
        Object.fromEntries(children.map((child) => [child.name, child.recentOutput()])),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A stack configuration on free ports, for a stack that runs beside others (tests, benchmarks)
 * on emulators already running, in a project of its own.
 */
export async function stackConfigOnFreePorts(
  projectId: string,
  logs: StackConfig['BM_STACK_LOGS'],
): Promise<StackConfig> {
  const names = [
    'WEBHOOK_PORT',
    'AGENT_API_PORT',
    'BM_STANDIN_PORT',
    'CLASSIFIER_PORT',
    'AUTOMATION_PORT',
    'LIVE_AGENT_PORT',
    'SENDER_PORT',
  ] as const;
  const ports: Record<string, string> = {};
  for (const name of names) ports[name] = String(await freePort());
  return StackConfig.parse({
    ...ports,
    GOOGLE_CLOUD_PROJECT: projectId,
    BM_STACK_MODE: 'emulators',
    BM_STACK_LOGS: logs,
  });
}
