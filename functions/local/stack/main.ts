import path from 'node:path';
import { loadConfig } from '../../platform/config';
import { locateEmulators } from '../emulators';
import { SAMPLE_AGENT } from '../sample-brand';
import { StackConfig } from './config';
import { startEmbeddedStack } from './embedded-stack';
import { startEmulatorStack, type RunningStack } from './emulator-stack';
import { formatLogLine } from './log-lines';
import { seedLocalData } from './seed';

/**
 * `npm start`: the whole product on this machine. With the Google Cloud CLI's emulators, every
 * function runs in its own process behind Pub/Sub push subscriptions; without them, in one
 * process on the in-memory bus and store. Prints one ready line; Ctrl-C stops everything.
 */
const root = path.resolve(__dirname, '../../../..');
const say = (line: string) => process.stdout.write(`${line}\n`);
const started = Date.now();
/** A stage of the start, with the time since `npm start` began. */
const progress = (stage: string) =>
  say(`bm-pipeline: ${stage}… (${((Date.now() - started) / 1000).toFixed(1)} s)`);

async function main(): Promise<void> {
  // Nothing here runs on Google Cloud: keep the auth library from probing for a metadata server.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const config = loadConfig(StackConfig);
  const located = locateEmulators();
  const mode =
    config.BM_STACK_MODE === 'auto'
      ? located.ok
        ? 'emulators'
        : 'embedded'
      : config.BM_STACK_MODE;
  if (mode === 'embedded') {
    say(
      `bm-pipeline: embedded mode — one process, in-memory bus and store${located.ok ? '' : ` (no emulators: missing ${located.missing.join(', ')})`}`,
    );
  } else {
    say('bm-pipeline: emulator mode — Pub/Sub and Firestore emulators, one process per function');
  }

  let stopStack: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`bm-pipeline: ${signal}, stopping every process…`);
    await stopStack?.();
    say('bm-pipeline: stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (mode === 'embedded') progress('starting every function in this process');
  const stack: RunningStack =
    mode === 'embedded'
      ? await startEmbeddedStack(config, {
          log: (line) => {
            const shown = formatLogLine(config.BM_STACK_LOGS, 'embedded', line);
            if (shown !== undefined) say(shown);
          },
        })
      : await startEmulatorStack(config, {
          root,
          seed: seedLocalData,
          output: say,
          progress,
          onStop: (stop) => {
            stopStack = stop;
          },
        });
  stopStack ??= () => stack.stop();
  const u = stack.urls;
  say(
    [
      `bm-pipeline ready: webhook ${u.webhook ?? '(not built)'}`,
      `agent API ${u.agentApi ?? '(not built)'} (Bearer dev-agent-token)`,
      `agent console ${u.agentApi ? `${u.agentApi}console/` : '(not built)'} (sign in with dev-agent-token; dev-agent-token-2 for Harbour Books)`,
      `BM API stand-in ${u.standin}`,
      `sample agent ${SAMPLE_AGENT}`,
      ...(u.pubsub
        ? [`Pub/Sub ${u.pubsub} · Firestore ${u.firestore}`]
        : ['in-memory bus and store']),
      ...(stack.skipped.length ? [`missing functions: ${stack.skipped.join(', ')}`] : []),
    ].join(' · ') + ` (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  if (config.BM_STACK_LOGS === 'brief') {
    say('bm-pipeline: one line per log entry below; BM_STACK_LOGS=verbose for the JSON lines');
  }
}

main().catch((error: unknown) => {
  say(`bm-pipeline: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
