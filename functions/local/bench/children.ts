import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isRunning, stopProcess, type ManagedProcess } from '../processes';

/**
 * The benchmark's child processes: each in its own process group (stopped with the product's
 * `stopProcess`, so nothing it started survives), its output in a log file (a pipe would make
 * this process read every log line while it also drives the load), and a message channel on
 * fd 3 for the probe (`probe.ts`) and the bench servers. Every child is registered until it is
 * stopped, so `stopAllChildren` can clean up after a failure or Ctrl-C.
 */
export interface BenchChild extends ManagedProcess {
  pid: number;
  logFile: string;
  /** Resolves with the next fd-3 message of `type` (or one already received and not taken). */
  message<T extends { type: string }>(type: T['type'], timeoutMs: number): Promise<T>;
  stop(): Promise<void>;
}

const running = new Set<BenchChild>();
const cleanups = new Set<() => Promise<void>>();

/** Something else to undo on the way out (a stack, the emulators). Returns the unregister. */
export function onCleanup(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Stops every child still running, then runs the registered cleanups (latest first). */
export async function stopAllChildren(): Promise<void> {
  await Promise.allSettled([...running].map((c) => c.stop()));
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    await cleanup().catch(() => undefined);
  }
}

export interface SpawnOptions {
  name: string;
  /** Arguments after `node` (node options first, then the script). */
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logDir: string;
}

export function spawnNode(options: SpawnOptions): BenchChild {
  const logFile = path.join(options.logDir, `${options.name.replace(/[^\w.-]/g, '_')}.log`);
  const log = openSync(logFile, 'a');
  // BENCH_CPU_PROF_DIR: every child writes a CPU profile there when it exits (see
  // profile-summary.ts); functions-framework exits cleanly on the SIGTERM of `stop()`.
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const args = profileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        `--cpu-prof-name=${options.name.replace(/[^\w.-]/g, '_')}.cpuprofile`,
        ...options.args,
      ]
    : options.args;
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', log, log, 'pipe'],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`${options.name} did not start`);

  const inbox: { type: string }[] = [];
  const waiters: { type: string; resolve: (m: { type: string }) => void }[] = [];
  let buffered = '';
  const channel = child.stdio[3] as Readable | null;
  channel?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let message: { type: string };
      try {
        message = JSON.parse(line) as { type: string };
      } catch {
        continue;
      }
      const waiter = waiters.findIndex((w) => w.type === message.type);
      if (waiter >= 0) waiters.splice(waiter, 1)[0]?.resolve(message);
      else inbox.push(message);
    }
  });
  channel?.on('error', () => undefined);

  const recentOutput = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  const managed: BenchChild = {
    name: options.name,
    child,
    pid: child.pid,
    logFile,
    recentOutput,
    message: <T extends { type: string }>(type: T['type'], timeoutMs: number) => {
      const queued = inbox.findIndex((m) => m.type === type);
      if (queued >= 0) return Promise.resolve(inbox.splice(queued, 1)[0] as T);
      return new Promise<T>((resolve, reject) => {
        const waiter = {
          type,
          resolve: (m: { type: string }) => {
            clearTimeout(timer);
            child.off('exit', onExit);
            resolve(m as T);
          },
        };
        const fail = (why: string) => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          child.off('exit', onExit);
          clearTimeout(timer);
          reject(new Error(`${options.name}: ${why}\n${recentOutput()}`));
        };
        const timer = setTimeout(() => fail(`no "${type}" within ${timeoutMs} ms`), timeoutMs);
        const onExit = () => fail(`exited before "${type}"`);
        if (!isRunning(child)) {
          fail(`exited before "${type}"`);
          return;
        }
        child.once('exit', onExit);
        waiters.push(waiter);
      });
    },
    stop: async () => {
      await stopProcess(managed, 3000);
      running.delete(managed);
    },
  };
  running.add(managed);
  child.once('exit', () => {
    if (!isRunning(child)) running.delete(managed);
  });
  return managed;
}

/** Resident memory of a process now, from /proc (VmRSS), in MiB; undefined if unreadable. */
export function residentMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}
