import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of this process's descendants, from /proc (Linux), to say who was busy during a
 * measured run: the functions, the stand-in, the emulators' JVMs, this process (the client).
 */
export interface ProcessCpu {
  pid: number;
  label: string;
  /** User + system time so far, in seconds. */
  seconds: number;
}

const ticks = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(out.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

function stat(pid: number): { ppid: number; seconds: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      seconds: (Number(fields[11]) + Number(fields[12])) / ticks,
    };
  } catch {
    return undefined;
  }
}

/** What a process is, from its command line. */
export function labelOf(cmdline: string): string {
  const target = /--target=(\S+)/.exec(cmdline)?.[1];
  if (target) return target;
  if (cmdline.includes('bm-api-standin')) return 'bm-api-standin';
  if (cmdline.includes('pubsub-emulator')) return 'Pub/Sub emulator';
  if (cmdline.includes('firestore')) return 'Firestore emulator';
  if (cmdline.includes('embedded-stack')) return 'embedded stack';
  return cmdline.split(' ').slice(0, 2).join(' ').slice(0, 60);
}

/** Every live descendant of `root` with its CPU time so far. */
export function descendantsCpu(root = process.pid): ProcessCpu[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s) parents.set(Number(entry), s.ppid);
  }
  const result: ProcessCpu[] = [];
  const visit = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent !== pid) continue;
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        continue;
      }
      const s = stat(child);
      if (s && !cmdline.startsWith('/bin/bash')) {
        result.push({ pid: child, label: labelOf(cmdline), seconds: s.seconds });
      }
      visit(child);
    }
  };
  visit(root);
  return result;
}

/** CPU seconds per label between two snapshots (processes present in both), plus this one. */
export function cpuBetween(
  before: readonly ProcessCpu[],
  after: readonly ProcessCpu[],
  self: NodeJS.CpuUsage,
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const a of after) {
    const b = before.find((p) => p.pid === a.pid);
    if (!b) continue;
    result[a.label] = (result[a.label] ?? 0) + (a.seconds - b.seconds);
  }
  result['bench client (this process)'] = (self.user + self.system) / 1e6;
  return result;
}
