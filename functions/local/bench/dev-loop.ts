import { spawn } from 'node:child_process';
import { percentile } from './stats';
import type { BenchContext } from './context';
import { startEmbeddedChild } from './embedded';

/**
 * The developer's loop: how long `npm run simulate -- "Hello"` takes, run again with nothing
 * changed, to print the customer's line (`→ you: Hello`), against a running embedded stack.
 * That is npm, the changed-files build (which finds nothing to do), Node loading the
 * simulator, and one signed webhook POST. Beside it, in the same run: a bare `node -e 0`, the
 * least any command of this kind can cost.
 */
export interface DevLoopFigures {
  /** Median of the repeated runs (the first, which may build, is left out). */
  simulateSecondRunMs: number;
  simulateRuns: number;
  bareNodeMs: number;
}

export async function benchDevLoop(context: BenchContext): Promise<DevLoopFigures> {
  const stack = await startEmbeddedChild(context, 'dev-loop-stack');
  try {
    const args = [
      'run',
      '--silent',
      'simulate',
      '--',
      '--webhook',
      stack.urls.webhook ?? '',
      '--standin',
      stack.urls.standin ?? '',
      '--wait',
      '1',
      'Hello',
    ];
    const runs = context.quick ? 3 : 7;
    const simulate: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const ms = await timeUntilLine('npm', args, context.root, /^→ you: Hello/);
      if (i > 0) simulate.push(ms);
    }
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(
        await timeUntilLine(process.execPath, ['-e', 'console.log("ok")'], context.root, /^ok$/),
      );
    }
    const figures: DevLoopFigures = {
      simulateSecondRunMs: percentile(simulate, 50) ?? Number.NaN,
      simulateRuns: simulate.length,
      bareNodeMs: percentile(bare, 50) ?? Number.NaN,
    };
    context.say(
      `  npm run simulate, nothing changed: ${figures.simulateSecondRunMs} ms to the customer's line (bare node: ${figures.bareNodeMs} ms)`,
    );
    return figures;
  } finally {
    await stack.stop();
  }
}

/** Milliseconds from spawning `command` to the first stdout line matching `line`. */
function timeUntilLine(
  command: string,
  args: string[],
  cwd: string,
  line: RegExp,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const proc = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    let done = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      if (!done) reject(new Error(`${command} printed no ${String(line)} in 30 s`));
    }, 30_000);
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (!done && buffer.split('\n').some((l) => line.test(l))) {
        done = true;
        clearTimeout(timer);
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
      }
    });
    proc.on('exit', () => {
      clearTimeout(timer);
      if (!done)
        reject(new Error(`${command} ended without ${String(line)}: ${buffer.slice(-500)}`));
    });
  });
}
