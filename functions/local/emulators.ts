import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { startProcess, stopProcess, waitUntilAnswering } from './processes';

/**
 * The Pub/Sub and Firestore emulators of the Google Cloud CLI, started directly from the SDK's
 * platform folder (faster than `gcloud … start`, and one process group each to stop cleanly).
 * Used by `npm test`, `npm start` and `npm run bench`.
 */
export type EmulatorLocation =
  { ok: true; pubsub: string; firestore: string } | { ok: false; missing: string[] };

export function findSdkRoot(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.CLOUDSDK_ROOT];
  const info = spawnSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (info.status === 0 && info.stdout.trim()) candidates.push(info.stdout.trim());
  candidates.push('/usr/lib/google-cloud-sdk', '/google-cloud-sdk');
  return candidates.find((dir): dir is string => !!dir && existsSync(path.join(dir, 'platform')));
}

export function locateEmulators(env: NodeJS.ProcessEnv = process.env): EmulatorLocation {
  const missing: string[] = [];
  const root = findSdkRoot(env);
  const pubsub = root ? path.join(root, 'platform/pubsub-emulator/bin/cloud-pubsub-emulator') : '';
  const firestore = root
    ? path.join(root, 'platform/cloud-firestore-emulator/cloud_firestore_emulator')
    : '';
  if (!root) missing.push('the Google Cloud CLI (gcloud)');
  else {
    if (!existsSync(pubsub))
      missing.push('the Pub/Sub emulator (google-cloud-cli-pubsub-emulator)');
    if (!existsSync(firestore))
      missing.push('the Firestore emulator (google-cloud-cli-firestore-emulator)');
  }
  if (spawnSync('java', ['-version']).status !== 0) missing.push('Java 17+ (java on PATH)');
  return missing.length > 0 ? { ok: false, missing } : { ok: true, pubsub, firestore };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningEmulators {
  pubsubHost: string;
  firestoreHost: string;
  stop(): Promise<void>;
}

export async function startEmulators(
  options: { pubsubPort?: number; firestorePort?: number; onOutput?: (chunk: Buffer) => void } = {},
): Promise<RunningEmulators> {
  const located = locateEmulators();
  if (!located.ok)
    throw new Error(`cannot start the emulators: missing ${located.missing.join(', ')}`);
  const pubsubPort = options.pubsubPort ?? (await freePort());
  const firestorePort = options.firestorePort ?? (await freePort());
  const pubsub = startProcess(
    'Pub/Sub emulator',
    located.pubsub,
    ['--host=127.0.0.1', `--port=${pubsubPort}`],
    options,
  );
  const firestore = startProcess(
    'Firestore emulator',
    located.firestore,
    ['start', '--host=127.0.0.1', `--port=${firestorePort}`],
    options,
  );
  const stop = async () => {
    await Promise.all([stopProcess(pubsub), stopProcess(firestore)]);
  };
  try {
    await Promise.all([
      waitUntilAnswering(`http://127.0.0.1:${pubsubPort}/`, pubsub),
      waitUntilAnswering(`http://127.0.0.1:${firestorePort}/`, firestore),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pubsubHost: `127.0.0.1:${pubsubPort}`,
    firestoreHost: `127.0.0.1:${firestorePort}`,
    stop,
  };
}
