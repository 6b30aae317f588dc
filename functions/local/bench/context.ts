import path from 'node:path';

/** What every benchmark section is given by `main.ts`. */
export interface BenchContext {
  /** The checkout whose `dist/` is measured (the one this file was compiled into). */
  root: string;
  /** Child processes' log files and probe reports. */
  workDir: string;
  emulators: { pubsubHost: string; firestoreHost: string };
  /** Short runs for trying the benchmark out (`BENCH_QUICK=1`); figures are then rough. */
  quick: boolean;
  say(line: string): void;
}

export const frameworkMain = (root: string) =>
  path.join(root, 'node_modules/@google-cloud/functions-framework/build/src/main.js');

/** Compiled bench modules live next to this one in dist/. */
export const benchFile = (name: string) => path.join(__dirname, name);

/** Environment of a function process on this machine: emulators, no metadata server. */
export function functionEnv(
  context: BenchContext,
  projectId: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Only what a section asks for: no probe or node options inherited from this process.
  delete env.NODE_OPTIONS;
  delete env.FUNCTION_TARGET;
  for (const key of Object.keys(env)) if (key.startsWith('BENCH_')) delete env[key];
  return {
    ...env,
    GOOGLE_CLOUD_PROJECT: projectId,
    PUBSUB_EMULATOR_HOST: context.emulators.pubsubHost,
    FIRESTORE_EMULATOR_HOST: context.emulators.firestoreHost,
    METADATA_SERVER_DETECTION: 'none',
    ...extra,
  };
}
