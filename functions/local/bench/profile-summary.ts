import { readFileSync } from 'node:fs';
import { packageOfFile } from './sdk-usage';

/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per owner (package, the
 * product's code, Node) and per function, and inclusive time per function, to say what a slow
 * process spends its CPU on.
 *
 *   node dist/functions/local/bench/profile-summary.js FILE.cpuprofile [TOP] [FILTER]
 *
 * The benchmark's children are profiled when BENCH_CPU_PROF_DIR names a folder.
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Timed {
  label: string;
  ms: number;
}

export interface ProfileSummary {
  totalMs: number;
  selfByOwner: Timed[];
  selfByFunction: Timed[];
  /** Time of the samples with the function anywhere on the stack, counted once per sample. */
  inclusive: Timed[];
}

/** Where a frame's code lives: a package, the product's own code, Node, or V8 bookkeeping. */
export function ownerOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const file = url.replace(/^file:\/\//, '');
  const pkg = packageOfFile(file);
  if (pkg) return pkg.name;
  if (file.startsWith('node:') || !file.startsWith('/')) return 'node (internal)';
  return file.includes('/dist/functions/') ? 'bm-pipeline (dist/functions)' : file;
}

export function labelOf(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, '');
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

const sorted = (m: Map<string, number>): Timed[] =>
  [...m].map(([label, ms]) => ({ label, ms })).sort((a, b) => b.ms - a.ms);

const add = (m: Map<string, number>, key: string, ms: number) => m.set(key, (m.get(key) ?? 0) + ms);

export function summarise(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // timeDeltas[i] is the time before sample i; it is attributed to that sample's node.
  const perNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    perNode.set(id, (perNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const selfByFunction = new Map<string, number>();
  const selfByOwner = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of perNode) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    add(selfByFunction, labelOf(frame), ms);
    add(selfByOwner, ownerOf(frame.url, frame.functionName), ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = nodes.get(at)?.callFrame;
      if (!f || f.functionName === '(root)') continue;
      const label = labelOf(f);
      if (!seen.has(label)) {
        seen.add(label);
        add(inclusive, label, ms);
      }
    }
  }
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    selfByOwner: sorted(selfByOwner),
    selfByFunction: sorted(selfByFunction),
    inclusive: sorted(inclusive),
  };
}

if (require.main === module) {
  const [file, top, filter] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-summary FILE.cpuprofile [TOP] [FILTER]\n');
    process.exit(2);
  }
  const n = Number(top ?? 25);
  const summary = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const show = (title: string, rows: Timed[]) => {
    process.stdout.write(`${title}\n`);
    for (const row of rows.slice(0, n)) {
      process.stdout.write(`  ${row.ms.toFixed(1).padStart(8)} ms  ${row.label}\n`);
    }
  };
  process.stdout.write(`${file}: ${summary.totalMs.toFixed(0)} ms profiled\n`);
  show('self time by owner:', summary.selfByOwner);
  show('self time by function:', summary.selfByFunction);
  show(
    `inclusive time${filter ? ` (matching "${filter}")` : ''}:`,
    filter ? summary.inclusive.filter((r) => r.label.includes(filter)) : summary.inclusive,
  );
}
