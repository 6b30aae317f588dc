import path from 'node:path';
import { loadConfig } from '../../platform/config';
import { locateEmulators } from '../emulators';
import { DEV_AGENT_TOKEN, SAMPLE_AGENT, StackConfig } from './config';
import { startEmulatorStack, type RunningStack } from './emulator-stack';
import { seedNothing } from './seed';

/**
 * `npm start`: the whole product on this machine. With the Google Cloud CLI's emulators, every
 * function runs in its own process behind Pub/Sub push subscriptions; without them, in one
 * process on the in-memory bus and store. Prints one ready line; Ctrl-C stops everything.
 */
const root = path.resolve(__dirname, '../../../..');
const say = (line: string) => process.stdout.write(`${line}\n`);

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
    throw new Error('embedded mode is not available yet');
  }
  say('bm-pipeline: emulator mode — Pub/Sub and Firestore emulators, one process per function');

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

  const stack: RunningStack = await startEmulatorStack(config, {
    root,
    seed: seedNothing,
    output: say,
    onStop: (stop) => {
      stopStack = stop;
    },
  });
  const u = stack.urls;
  say(
    [
      `bm-pipeline ready: webhook ${u.webhook ?? '(not built)'}`,
      `agent API ${u.agentApi ?? '(not built)'} (Bearer ${DEV_AGENT_TOKEN})`,
      `BM API stand-in ${u.standin}`,
      `sample agent ${SAMPLE_AGENT}`,
      `Pub/Sub ${u.pubsub} · Firestore ${u.firestore}`,
      ...(stack.skipped.length ? [`missing functions: ${stack.skipped.join(', ')}`] : []),
    ].join(' · '),
  );
}

main().catch((error: unknown) => {
  say(`bm-pipeline: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
