import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  stackConfigOnFreePorts,
  startEmulatorStack,
  type RunningStack,
} from '../../functions/local/stack/emulator-stack';
import type { Seeder } from '../../functions/local/stack/seed';
import {
  customerEvent,
  type CustomerAction,
  type CustomerContext,
} from '../../functions/local/simulator/customer-events';
import type { InspectedConversation } from '../../functions/local/simulator/render';
import { signBody } from '../../functions/webhook/signature';
import { uniqueProjectId } from './emulators';

/**
 * The whole product as `npm start` runs it (compiled functions, one functions-framework process
 * each, push subscriptions on the emulator), on free ports and a project of its own.
 */
export interface TestStack {
  projectId: string;
  urls: Record<string, string>;
  post(body: string): Promise<Response>;
  act(who: CustomerContext, action: CustomerAction): Promise<{ status: number; body: string }>;
  /** What the stand-in accepted for a conversation, once it holds at least `count` items. */
  inspect(
    conversationId: string,
    count?: number,
    timeoutMs?: number,
  ): Promise<InspectedConversation>;
  agentApi(
    method: string,
    route: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; json: unknown }>;
  stop(): Promise<void>;
  /** The stages the stack announced while starting. */
  stages: string[];
  /** What each process printed lately, shown or not. */
  recentOutput(): Record<string, string>;
}

export async function startTestStack(
  seed: Seeder,
  env: Record<string, string> = {},
): Promise<TestStack> {
  const pubsubHost = process.env.PUBSUB_EMULATOR_HOST;
  const firestoreHost = process.env.FIRESTORE_EMULATOR_HOST;
  if (!pubsubHost || !firestoreHost) throw new Error('the emulators are not running');
  const projectId = uniqueProjectId('e2e');
  // BM_TEST_STACK_LOGS=show prints every process's JSON lines; BM_TEST_STACK_LOG_DIR=<dir> keeps
  // them in <dir>/<project>.log instead, for reading after a full run has failed.
  const logDir = process.env.BM_TEST_STACK_LOG_DIR;
  const logFile = logDir ? path.resolve(logDir, `${projectId}.log`) : undefined;
  if (logDir) mkdirSync(path.resolve(logDir), { recursive: true });
  const config = await stackConfigOnFreePorts(
    projectId,
    process.env.BM_TEST_STACK_LOGS === 'show' || logFile ? 'verbose' : 'quiet',
  );
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  let stop: () => Promise<void> = () => Promise.resolve();
  const stages: string[] = [];
  const stack: RunningStack = await startEmulatorStack(config, {
    root: path.resolve(__dirname, '../..'),
    seed,
    progress: (stage) => stages.push(stage),
    output: (line) =>
      logFile
        ? appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`)
        : process.stdout.write(`${line}\n`),
    onStop: (s) => {
      stop = s;
    },
    emulators: { pubsubHost, firestoreHost },
  });
  if (stack.skipped.length) {
    await stop();
    throw new Error(`functions not built: ${stack.skipped.join(', ')}`);
  }
  const urls = stack.urls;
  const post = (body: string) =>
    fetch(urls.webhook ?? '', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-goog-signature': signBody(body, config.BM_PARTNER_KEY),
      },
      body,
    });
  return {
    projectId,
    urls,
    post,
    act: async (who, action) => {
      const body = JSON.stringify(
        customerEvent(
          who,
          action,
          { requestId: randomUUID(), messageId: randomUUID() },
          new Date(),
        ),
      );
      const res = await post(body);
      return { status: res.status, body: await res.text() };
    },
    inspect: async (conversationId, count = 0, timeoutMs = 20_000) => {
      const url = new URL(
        `_inspect/conversations/${encodeURIComponent(conversationId)}`,
        urls.standin,
      );
      url.searchParams.set('waitFor', String(count));
      url.searchParams.set('timeoutMs', String(timeoutMs));
      const res = await fetch(url);
      return (await res.json()) as InspectedConversation;
    },
    agentApi: async (method, route, body, token = 'dev-agent-token') => {
      const res = await fetch(new URL(route.replace(/^\//, ''), urls.agentApi), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    },
    stop: () => stop(),
    stages,
    recentOutput: () => stack.recentOutput?.() ?? {},
  };
}
