import { writeSync } from 'node:fs';
import { freePort } from '../../emulators';
import { StackConfig } from '../../stack/config';
import { startEmbeddedStack } from '../../stack/embedded-stack';

/**
 * `npm start`'s embedded mode in a process of its own, for the benchmark: the whole pipeline on
 * the in-memory bus and store, logs as JSON lines on stdout. Tells the parent its URLs on fd 3
 * (`{"type":"ready","urls":…}`) and stops on SIGTERM.
 */
async function main(): Promise<void> {
  const config = StackConfig.parse({
    BM_STACK_MODE: 'embedded',
    WEBHOOK_PORT: String(await freePort()),
    AGENT_API_PORT: String(await freePort()),
    BM_STANDIN_PORT: String(await freePort()),
  });
  const stack = await startEmbeddedStack(config);
  writeSync(3, `${JSON.stringify({ type: 'ready', urls: stack.urls })}\n`);
  process.once('SIGTERM', () => {
    void stack.stop().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`embedded stack failed: ${String(error)}\n`);
  process.exit(1);
});
