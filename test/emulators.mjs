// Starts the Pub/Sub and Firestore emulators from the Google Cloud CLI on free loopback ports,
// each in its own process group so stopping it leaves no Java process behind. Shared by the
// test runner and the local stack.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** Where the Cloud SDK lives, or undefined. CLOUDSDK_ROOT wins; then `gcloud info`. */
export function findSdkRoot(env = process.env) {
  const candidates = [env.CLOUDSDK_ROOT, '/usr/lib/google-cloud-sdk', '/google-cloud-sdk'];
  const gcloud = spawnSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (gcloud.status === 0 && gcloud.stdout.trim()) candidates.splice(1, 0, gcloud.stdout.trim());
  return candidates.find((dir) => dir && existsSync(path.join(dir, 'platform')));
}

/** The emulator commands, or a list of what is missing. */
export function locateEmulators(env = process.env) {
  const missing = [];
  const root = findSdkRoot(env);
  if (!root) missing.push('the Google Cloud CLI (gcloud)');
  const pubsub = root && path.join(root, 'platform/pubsub-emulator/bin/cloud-pubsub-emulator');
  const firestore =
    root && path.join(root, 'platform/cloud-firestore-emulator/cloud_firestore_emulator');
  if (root && !existsSync(pubsub))
    missing.push('the Pub/Sub emulator (google-cloud-cli-pubsub-emulator)');
  if (root && !existsSync(firestore))
    missing.push('the Firestore emulator (google-cloud-cli-firestore-emulator)');
  if (spawnSync('java', ['-version']).status !== 0) missing.push('Java 17+ (java on PATH)');
  return missing.length ? { ok: false, missing } : { ok: true, pubsub, firestore };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, child, name, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`${name} did not answer at ${url} within ${timeoutMs} ms`);
}

function startProcess(name, command, args, logTo) {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const keep = (chunk) => {
    lines.push(chunk.toString());
    if (lines.length > 200) lines.shift();
    logTo?.(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = lines;
  child.label = name;
  return child;
}

/** Stops a process group: SIGTERM, then SIGKILL after a grace period. */
export async function stopGroup(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts both emulators; resolves with their hosts and a stop() that ends both.
 * `ports` may fix the ports (the local stack); by default free ones are chosen.
 */
export async function startEmulators({ ports = {}, log } = {}) {
  const located = locateEmulators();
  if (!located.ok) throw new Error(`missing: ${located.missing.join(', ')}`);
  const pubsubPort = ports.pubsub ?? (await freePort());
  const firestorePort = ports.firestore ?? (await freePort());
  const pubsub = startProcess(
    'pubsub-emulator',
    located.pubsub,
    ['--host=127.0.0.1', `--port=${pubsubPort}`],
    log,
  );
  const firestore = startProcess(
    'firestore-emulator',
    located.firestore,
    ['start', '--host=127.0.0.1', `--port=${firestorePort}`],
    log,
  );
  const stop = () => Promise.all([stopGroup(pubsub), stopGroup(firestore)]);
  try {
    await Promise.all([
      waitForHttp(`http://127.0.0.1:${pubsubPort}/`, pubsub, 'Pub/Sub emulator'),
      waitForHttp(`http://127.0.0.1:${firestorePort}/`, firestore, 'Firestore emulator'),
    ]);
  } catch (error) {
    await stop();
    const tail = [...pubsub.output, ...firestore.output].join('').slice(-2000);
    throw new Error(`${error.message}\n${tail}`);
  }
  return {
    pubsubHost: `127.0.0.1:${pubsubPort}`,
    firestoreHost: `127.0.0.1:${firestorePort}`,
    stop,
  };
}
