import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locateEmulators, startEmulators } from '../emulators';
import { onCleanup, stopAllChildren } from './children';
import { benchConsole, type ConsoleFigures } from './agent-console';
import { benchDevLoop, type DevLoopFigures } from './dev-loop';
import { benchColdStart, type ColdStartFigures } from './cold-start';
import type { BenchContext } from './context';
import { benchEmbedded, type EmbeddedFigures } from './embedded';
import { benchEndToEnd, type EndToEndResult } from './end-to-end';
import { ensureGoogleapis } from './googleapis';
import {
  evaluateTargets,
  renderMarkdownSummary,
  renderReport,
  rewriteMarkedSection,
  roundDeep,
  type BenchResults,
  type Machine,
} from './report';
import { benchWebhookIngest, type WebhookFigures } from './webhook-ingest';

/**
 * `npm run bench`: every benchmark of the pipeline beside a baseline measured in the same run,
 * on this machine, against emulators it starts (free loopback ports) and stops. Prints a table
 * and writes bench-results.json at the repository root.
 *
 *   node dist/functions/local/bench/main.js [webhook] [cold] [e2e] [embedded] [console]
 *
 * Naming sections runs only those (their results go to the work folder, not
 * bench-results.json). BENCH_QUICK=1 shortens every run, for trying the benchmark out.
 */
const root = path.resolve(__dirname, '../../../..');
const SECTIONS = ['webhook', 'cold', 'e2e', 'embedded', 'console', 'devloop'] as const;
type Section = (typeof SECTIONS)[number];
const say = (line: string) => process.stdout.write(`${line}\n`);

function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

/** The short commit measured, with `+` when the work tree has changes; undefined without git. */
function currentCommit(root: string): string | undefined {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') === '' ? '' : '+'}`;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  // Nothing here runs on Google Cloud: keep the auth library from probing for a metadata server.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const asked = process.argv.slice(2);
  const unknown = asked.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    say(`unknown section(s): ${unknown.join(', ')} (known: ${SECTIONS.join(', ')})`);
    return 2;
  }
  const run = (s: Section) => asked.length === 0 || asked.includes(s);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'bm-bench-'));
  const quick = process.env.BENCH_QUICK === '1';

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say(`\nbench: ${signal}, stopping every process…`);
      void stopAllChildren().finally(() => process.exit(130));
    });
  }

  for (const built of ['dist/bundles/index.js', 'dist/functions/local/bench/probe.js']) {
    if (!existsSync(path.join(root, built))) {
      say(`bench: ${built} is missing; run \`npm run build\` first`);
      return 1;
    }
  }
  const located = locateEmulators();
  if (!located.ok) {
    say(`bench: the emulators are needed: missing ${located.missing.join(', ')}`);
    return 1;
  }

  const m = machine();
  say(`bm-pipeline bench on ${m.cpuModel}, ${m.cores} cores, Node ${m.node}; logs in ${workDir}`);
  // Before anything is measured: npm would compete for the CPU.
  const googleapis = run('cold')
    ? await ensureGoogleapis(say)
    : { ok: false as const, reason: 'cold start not run' };
  if (!googleapis.ok && run('cold')) say(`googleapis reference skipped: ${googleapis.reason}`);

  say('starting the Pub/Sub and Firestore emulators…');
  const emulators = await startEmulators();
  onCleanup(() => emulators.stop());
  const context: BenchContext = {
    root,
    workDir,
    emulators: { pubsubHost: emulators.pubsubHost, firestoreHost: emulators.firestoreHost },
    quick,
    say,
  };

  const errors: string[] = [];
  const attempt = async <T>(title: string, section: Section, body: () => Promise<T>) => {
    if (!run(section) || stopping) return null;
    say(`\n${title}`);
    const t0 = Date.now();
    try {
      const value = await body();
      say(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      return value;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push(`${section}: ${message.split('\n')[0]}`);
      say(`  FAILED: ${message}`);
      return null;
    }
  };

  let webhook: WebhookFigures | null = null;
  let coldStart: ColdStartFigures | null = null;
  let endToEnd: EndToEndResult | null = null;
  let embedded: EmbeddedFigures | null = null;
  let agentConsole: ConsoleFigures | null = null;
  let devLoop: DevLoopFigures | null = null;
  try {
    webhook = await attempt('1. webhook ingest', 'webhook', () => benchWebhookIngest(context));
    coldStart = await attempt('2. cold start', 'cold', () => benchColdStart(context, googleapis));
    endToEnd = await attempt('3. end to end on the emulators (+ 5. cost)', 'e2e', () =>
      benchEndToEnd(context),
    );
    embedded = await attempt('4. embedded', 'embedded', () => benchEmbedded(context));
    agentConsole = await attempt('6. agent console (headless Chromium)', 'console', () =>
      benchConsole(context),
    );
    devLoop = await attempt(
      '7. the developer loop (npm run simulate, nothing changed)',
      'devloop',
      () => benchDevLoop(context),
    );
  } finally {
    await stopAllChildren();
  }
  // Interrupted: no report, and bench-results.json keeps the last complete run.
  if (stopping) return 130;

  const partial: Omit<BenchResults, 'targets'> = {
    machine: m,
    webhook,
    coldStart,
    e2e: endToEnd?.e2e ?? null,
    embedded,
    console: agentConsole,
    devLoop,
    cost: endToEnd
      ? {
          ...endToEnd.cost,
          baselineInvocations: endToEnd.baselineCost.invocations,
          baselineBillableMs: endToEnd.baselineCost.billableMs,
          baselineLogBytes: endToEnd.baselineCost.logBytes,
          baselinePubsubBillableBytes: endToEnd.baselineCost.pubsubBillableBytes,
          baselinePerFunction: endToEnd.baselineCost.perFunction,
          ...endToEnd.dollars,
        }
      : null,
    errors,
    wallSeconds: (Date.now() - started) / 1000,
  };
  const results: BenchResults = { ...partial, targets: evaluateTargets(partial) };
  say(`\n${renderReport(results)}`);
  const file =
    asked.length === 0
      ? path.join(root, 'bench-results.json')
      : path.join(workDir, 'bench-results.json');
  writeFileSync(file, `${JSON.stringify(roundDeep(results), null, 2)}\n`);
  say(`results: ${file}`);
  if (asked.length === 0 && errors.length === 0) {
    // A complete run is the README's summary: rewritten here, never pasted by hand.
    const readme = path.join(root, 'README.md');
    const rewritten = rewriteMarkedSection(
      readFileSync(readme, 'utf8'),
      renderMarkdownSummary(results, currentCommit(root)),
    );
    if (rewritten.replaced) {
      // Written as `npm run lint` wants it (Prettier is a devDependency, like the bench itself).
      const prettier = await import('prettier');
      const options = (await prettier.resolveConfig(readme)) ?? {};
      writeFileSync(
        readme,
        await prettier.format(rewritten.text, { ...options, filepath: readme }),
      );
      say('README.md: benchmark summary rewritten');
    }
  }
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    say(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await stopAllChildren();
    process.exit(1);
  },
);
