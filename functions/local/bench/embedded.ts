import { spawnNode } from './children';
import { benchFile, functionEnv, type BenchContext } from './context';
import { driveConversations, measureThroughput } from './conversations';
import { CONVERSATIONS, TURNS } from './end-to-end';
import { percentile } from './stats';

/**
 * The embedded mode (`startEmbeddedStack`: every handler in one process on the in-memory bus
 * and store, the stand-in included), in a child process so this process's HTTP client has a core
 * of its own:
 * - latency: the end-to-end run's traffic (20 customers in parallel, 5 turns each);
 * - throughput: customer messages per second from the first webhook POST to the last reply item
 *   at the stand-in, with every conversation's messages posted as fast as the webhook takes them.
 */
export interface EmbeddedFigures {
  p50Ms: number;
  p99Ms: number;
  msgPerSec: number;
  throughputMessages: number;
  throughputSeconds: number;
  throughputConversations: number;
}

export async function benchEmbedded(context: BenchContext): Promise<EmbeddedFigures> {
  const stack = await startEmbeddedChild(context, 'embedded-stack');
  try {
    const drive = { webhookUrl: stack.urls.webhook ?? '', standinUrl: stack.urls.standin ?? '' };
    const timeoutMs = 120_000;

    // Warm-up, and the number of stand-in items one customer's turns end with.
    const calibration = await driveConversations({
      ...drive,
      conversations: 10,
      turns: TURNS,
      timeoutMs,
    });
    const expectedItems = calibration.itemsPerConversation[0] ?? 0;
    if (calibration.itemsPerConversation.some((n) => n !== expectedItems)) {
      throw new Error(
        `customers ended with different reply counts: ${calibration.itemsPerConversation.join(', ')}`,
      );
    }

    const latency = await driveConversations({
      ...drive,
      conversations: CONVERSATIONS,
      turns: TURNS,
      timeoutMs,
    });
    const p50 = percentile(latency.latenciesMs, 50) ?? Number.NaN;
    const p99 = percentile(latency.latenciesMs, 99) ?? Number.NaN;
    context.say(`  latency: p50 ${p50} ms, p99 ${p99} ms over ${latency.latenciesMs.length} turns`);

    const conversations = context.quick ? 100 : 200;
    await measureThroughput({
      ...drive,
      conversations: 50,
      turns: TURNS,
      concurrency: 32,
      expectedItems,
      timeoutMs: 60_000,
    });
    const throughput = await measureThroughput({
      ...drive,
      conversations,
      turns: TURNS,
      concurrency: 32,
      expectedItems,
      timeoutMs: 60_000,
    });
    context.say(
      `  throughput: ${throughput.messages} customer messages in ${throughput.seconds.toFixed(2)} s = ${throughput.msgPerSec.toFixed(0)} msg/s (${expectedItems} stand-in items per customer)`,
    );
    return {
      p50Ms: p50,
      p99Ms: p99,
      msgPerSec: throughput.msgPerSec,
      throughputMessages: throughput.messages,
      throughputSeconds: throughput.seconds,
      throughputConversations: conversations,
    };
  } finally {
    await stack.stop();
  }
}

/**
 * The embedded stack (`servers/embedded-stack.ts`) in a child process of its own, once it says
 * it is ready with its URLs; `stop()` ends it. Shared by every section that drives it.
 */
export async function startEmbeddedChild(
  context: BenchContext,
  name: string,
): Promise<{ urls: Record<string, string>; stop(): Promise<void> }> {
  const child = spawnNode({
    name,
    args: [benchFile('servers/embedded-stack.js')],
    env: functionEnv(context, 'bm-pipeline-local'),
    cwd: context.root,
    logDir: context.workDir,
  });
  try {
    const ready = await child.message<{ type: 'ready'; urls: Record<string, string> }>(
      'ready',
      60_000,
    );
    return { urls: ready.urls, stop: () => child.stop() };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
