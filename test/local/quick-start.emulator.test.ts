import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../functions/local/emulators';
import { SAMPLE_AGENT } from '../../functions/local/sample-brand';
import { customerEvent } from '../../functions/local/simulator/customer-events';
import type { InspectedConversation } from '../../functions/local/simulator/render';
import { signBody } from '../../functions/webhook/signature';
import { describeWithEmulators } from '../support/emulators';

/**
 * `npm start` on a fresh clone: the quick build (esbuild, file by file, no `dist/` yet) and then
 * the stack in emulator mode, its own emulators included, answering a customer. In a copy of the
 * sources, so nothing `npm test` built is reused. (A quick build once left `import()` of our own
 * modules as ESM imports, which Node could not resolve: the stack failed to start.)
 */
jest.setTimeout(240_000);

const root = path.resolve(__dirname, '../..');

/** Every file under `dir`, recursively. */
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );

describeWithEmulators('npm start on a fresh clone', () => {
  let copy: string;
  let stack: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'bm-fresh-'));
    for (const entry of ['functions', 'package.json', 'tsconfig.json']) {
      cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  });
  afterAll(async () => {
    if (stack && stack.exitCode === null) {
      stack.kill('SIGKILL');
      await new Promise((resolve) => stack?.once('exit', resolve));
    }
    rmSync(copy, { recursive: true, force: true });
  });

  it('builds from nothing, starts, answers a customer, and stops on Ctrl-C', async () => {
    const build = spawnSync(process.execPath, ['functions/local/dev-build.mjs'], {
      cwd: copy,
      encoding: 'utf8',
    });
    expect(build.stderr).toMatch(/build: \d+ file\(s\) transpiled/);
    expect(build.status).toBe(0);
    // Our own modules are loaded with require, as tsc would emit them.
    const leftAsImport = walk(path.join(copy, 'dist/functions'))
      .filter((f) => f.endsWith('.js'))
      .filter((f) => /\bimport\(\s*["']\.\.?\//.test(readFileSync(f, 'utf8')));
    expect(leftAsImport).toEqual([]);

    const ports: Record<string, string> = {};
    for (const name of [
      'WEBHOOK_PORT',
      'AGENT_API_PORT',
      'BM_STANDIN_PORT',
      'PUBSUB_EMULATOR_PORT',
      'FIRESTORE_EMULATOR_PORT',
      'CLASSIFIER_PORT',
      'AUTOMATION_PORT',
      'LIVE_AGENT_PORT',
      'SENDER_PORT',
    ]) {
      ports[name] = String(await freePort());
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...ports,
      BM_STACK_MODE: 'emulators',
      BM_STACK_LOGS: 'quiet',
    };
    // Its own emulators, as on a developer's machine: not the ones this test run shares.
    delete env.PUBSUB_EMULATOR_HOST;
    delete env.FIRESTORE_EMULATOR_HOST;
    const started = spawn(process.execPath, ['dist/functions/local/stack/main.js'], {
      cwd: copy,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stack = started;
    const lines = (chunk: Buffer) => {
      output += chunk.toString();
    };
    started.stdout?.on('data', lines);
    started.stderr?.on('data', lines);
    const exited = new Promise<number | null>((resolve) => started.once('exit', resolve));

    const ready = await Promise.race([
      (async () => {
        while (!output.includes('bm-pipeline ready:')) {
          if (started.exitCode !== null) return false;
          await new Promise((r) => setTimeout(r, 200));
        }
        return true;
      })(),
      exited.then(() => false),
    ]);
    if (!ready) throw new Error(`the stack did not start:\n${output}`);
    expect(output).toContain(`agent console http://127.0.0.1:${ports.AGENT_API_PORT}/console/`);

    // A customer says hello; the stand-in records the bot's answer.
    const conversationId = randomUUID();
    const body = JSON.stringify(
      customerEvent(
        { conversationId, agent: SAMPLE_AGENT },
        { type: 'text', text: 'Hello! Are you open on Sunday?' },
        { requestId: randomUUID(), messageId: randomUUID() },
        new Date(),
      ),
    );
    const posted = await fetch(`http://127.0.0.1:${ports.WEBHOOK_PORT}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-goog-signature': signBody(body, 'dev-partner-key'),
      },
      body,
    });
    expect(posted.status).toBe(200);
    const seen = await fetch(
      `http://127.0.0.1:${ports.BM_STANDIN_PORT}/_inspect/conversations/${conversationId}?waitFor=1&timeoutMs=60000`,
    );
    const inspected = (await seen.json()) as InspectedConversation;
    expect(inspected.messages.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(inspected.messages[0]?.body)).toContain('"representativeType":"BOT"');

    started.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('bm-pipeline: stopped');
  });
});
