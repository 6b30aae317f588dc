import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/**
 * Child processes of the local stack and the test runner. Each runs in its own process group
 * (`detached`), so stopping it also stops what it started (the emulator scripts start Java):
 * Ctrl-C leaves no orphans.
 */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** The last lines it printed, for error messages when it fails to start. */
  recentOutput(): string;
}

export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; onOutput?: (chunk: Buffer) => void } = {},
): ManagedProcess {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(chunk.toString());
    if (lines.length > 200) lines.shift();
    options.onOutput?.(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { name, child, recentOutput: () => lines.join('').slice(-4000) };
}

export const isRunning = (child: ChildProcess) =>
  child.exitCode === null && child.signalCode === null;

/** SIGTERM to the whole group, then SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopProcess(managed: ManagedProcess, graceMs = 5000): Promise<void> {
  const { child } = managed;
  if (!isRunning(child) || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // Whatever the leader left behind in its group goes too.
  signalGroup('SIGKILL');
}

/** Polls `url` until it answers at all (any status), the process dies, or time runs out. */
export async function waitUntilAnswering(
  url: string,
  managed: ManagedProcess,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(managed.child)) {
      throw new Error(
        `${managed.name} exited (${managed.child.exitCode ?? managed.child.signalCode}) before answering:\n${managed.recentOutput()}`,
      );
    }
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(
    `${managed.name} did not answer at ${url} within ${timeoutMs} ms:\n${managed.recentOutput()}`,
  );
}

/**
 * Waits until something accepts TCP connections on `port`. functions-framework listens only once
 * the function has loaded, so this is its readiness, and unlike an HTTP probe it never invokes
 * the function (an event function answers a bare GET with a stack trace, the webhook with a
 * warning).
 */
export async function waitUntilListening(
  host: string,
  port: number,
  managed: ManagedProcess,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  while (Date.now() < deadline) {
    if (!isRunning(managed.child)) {
      throw new Error(
        `${managed.name} exited (${managed.child.exitCode ?? managed.child.signalCode}) before listening:\n${managed.recentOutput()}`,
      );
    }
    if (await accepts()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `${managed.name} did not listen on ${host}:${port} within ${timeoutMs} ms:\n${managed.recentOutput()}`,
  );
}
