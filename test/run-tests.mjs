// `npm test`: builds, starts the Pub/Sub and Firestore emulators on free ports, runs every jest
// project against them, stops them, and prints one closing line with the counts.
// Without the emulators the emulator-backed tests are skipped, loudly; under CI=true that is a
// failure instead, because CI must prove the real integrations.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ci = /^(1|true)$/i.test(process.env.CI ?? '');
const resultsFile = path.join(root, 'coverage', 'jest-results.json');
const jestArgs = process.argv.slice(2);

const banner = (lines) => {
  const bar = '!'.repeat(78);
  console.error(['', bar, ...lines.map((l) => `!! ${l}`), bar, ''].join('\n'));
};

// The end-to-end suites run the compiled functions as separate processes, as deployed. Type
// errors don't stop the tests (`npm run typecheck` reports them); only a build that emits nothing does.
const build = spawnSync(
  process.execPath,
  [
    path.join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    'tsconfig.build.json',
    '--noEmitOnError',
    'false',
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
if (build.status !== 0)
  console.error('build: type errors (run `npm run typecheck`); testing what was emitted');
// The function bundles: package.json's main, what the local stack (and a deployment) loads.
const bundles = spawnSync(process.execPath, [path.join(root, 'functions/bundle.mjs')], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (bundles.status !== 0) {
  console.error('build: the function bundles did not build (see above)');
  process.exit(1);
}
// The agent console's bundle: the agent API serves it, and the browser tests load it.
const consoleBuild = spawnSync(
  process.execPath,
  [path.join(root, 'functions/agent-api/console/build.mjs')],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
if (consoleBuild.status !== 0) {
  console.error('build: the agent console did not build (see above)');
  process.exit(1);
}
const { locateEmulators, startEmulators } = createRequire(import.meta.url)(
  path.join(root, 'dist/functions/local/emulators.js'),
);

let emulators;
const env = { ...process.env };
const located = locateEmulators();
if (!located.ok) {
  banner([
    'EMULATOR TESTS WILL NOT RUN: missing ' + located.missing.join(', ') + '.',
    'Install the Google Cloud CLI with its pubsub and firestore emulator components and Java 17+.',
    ci ? 'CI=true: this is a failure.' : 'They are counted as skipped below.',
  ]);
  if (ci) process.exit(1);
  delete env.PUBSUB_EMULATOR_HOST;
  delete env.FIRESTORE_EMULATOR_HOST;
} else {
  const started = Date.now();
  emulators = await startEmulators();
  console.log(
    `emulators: Pub/Sub ${emulators.pubsubHost}, Firestore ${emulators.firestoreHost} (${Date.now() - started} ms)`,
  );
  env.PUBSUB_EMULATOR_HOST = emulators.pubsubHost;
  env.FIRESTORE_EMULATOR_HOST = emulators.firestoreHost;
}
// Nothing here runs on Google Cloud: don't let the auth library probe for a metadata server.
env.METADATA_SERVER_DETECTION ??= 'none';

const stopAll = async () => {
  if (emulators) await emulators.stop();
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void stopAll().then(() => process.exit(130)));
}

rmSync(resultsFile, { force: true });
mkdirSync(path.dirname(resultsFile), { recursive: true });
const code = await new Promise((resolve) => {
  const jest = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules/jest/bin/jest.js'),
      '--maxWorkers=2',
      '--json',
      `--outputFile=${resultsFile}`,
      ...jestArgs,
    ],
    { cwd: root, env, stdio: 'inherit' },
  );
  jest.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});
await stopAll();

let summary;
try {
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  summary = {
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests + r.numTodoTests,
  };
} catch {
  summary = undefined;
}
if (summary) {
  if (!located.ok) banner([`${summary.skipped} tests skipped, emulator-backed ones among them.`]);
  console.log(
    `tests: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`,
  );
}
process.exit(code);
