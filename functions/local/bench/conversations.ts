import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SCRIPT, signedEvent, webhookHeaders } from './fixtures';

/**
 * Drives customers through the pipeline over HTTP, the same way for every stack (emulators,
 * no-op baseline, embedded): signed webhook POSTs in, the BM API stand-in's `/_inspect`
 * long-poll out.
 *
 * Latency of a turn = the stand-in's `receivedAt` of the turn's first bot message (its clock:
 * the same machine's wall clock) minus this process's wall clock just before the webhook POST.
 * A customer sends its next message only once the previous turn is complete at the stand-in
 * (`answeredTurns`), so every message is a fresh turn.
 */
export interface Inspected {
  messages: { messageId: string; receivedAt: string }[];
  events: { eventId: string; receivedAt: string; body: { eventType: string } }[];
  surveys: { receivedAt: string }[];
  receipts: { receivedAt: string }[];
}

const total = (c: Inspected) =>
  c.messages.length + c.events.length + c.surveys.length + c.receipts.length;
const typingStopped = (c: Inspected) =>
  c.events.filter((e) => e.body.eventType === 'TYPING_STOPPED').length;

/**
 * Turns whose answer is complete at the stand-in. A stack whose turns end with TYPING_STOPPED
 * (the no-op chain, a brand with `bot.typingIndicators`) is counted by those; the sample brand's
 * bot sends no typing indicators, and its turn ends with its answer: message 1 of the turn
 * (`…-m1`, after the greeting `…-m0`, see deterministic-ids), since every line of the script
 * matches an intent.
 */
const answeredTurns = (c: Inspected): number =>
  c.events.some((e) => e.body.eventType === 'TYPING_STARTED')
    ? typingStopped(c)
    : c.messages.filter((m) => m.messageId.endsWith('-m1')).length;

export async function inspect(
  standinUrl: string,
  conversationId: string,
  waitFor: number,
  timeoutMs: number,
): Promise<Inspected> {
  const url = new URL(`_inspect/conversations/${encodeURIComponent(conversationId)}`, standinUrl);
  url.searchParams.set('waitFor', String(waitFor));
  url.searchParams.set('timeoutMs', String(Math.max(0, Math.min(60_000, Math.round(timeoutMs)))));
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs + 5_000) });
  if (!res.ok) throw new Error(`stand-in /_inspect answered ${res.status}`);
  return (await res.json()) as Inspected;
}

async function postEvent(webhookUrl: string, conversationId: string, text: string): Promise<void> {
  const event = signedEvent(conversationId, { type: 'text', text });
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers: webhookHeaders(event),
    body: event.body,
    signal: AbortSignal.timeout(15_000),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

export interface DriveOptions {
  webhookUrl: string;
  standinUrl: string;
  conversations: number;
  turns: number;
  /** For the whole run; a turn still waiting then fails the run. */
  timeoutMs: number;
}

export interface DriveResult {
  /** One per turn, in ms. */
  latenciesMs: number[];
  /** Items (messages, events…) each conversation ended with at the stand-in. */
  itemsPerConversation: number[];
  wallMs: number;
}

/** `conversations` customers in parallel, `turns` messages each, one turn at a time. */
export async function driveConversations(options: DriveOptions): Promise<DriveResult> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const latenciesMs: number[] = [];
  const one = async (): Promise<number> => {
    const id = randomUUID();
    let known: Inspected = { messages: [], events: [], surveys: [], receipts: [] };
    for (let turn = 0; turn < options.turns; turn++) {
      const sentAt = Date.now();
      await postEvent(options.webhookUrl, id, SCRIPT[turn % SCRIPT.length] as string);
      let seen = known;
      let firstReplyAt: number | undefined;
      while (firstReplyAt === undefined || answeredTurns(seen) < turn + 1) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `conversation ${id}: turn ${turn + 1} incomplete at the stand-in after ${options.timeoutMs} ms`,
          );
        }
        seen = await inspect(options.standinUrl, id, total(seen) + 1, Math.min(left, 30_000));
        const reply = seen.messages[known.messages.length];
        if (firstReplyAt === undefined && reply) firstReplyAt = Date.parse(reply.receivedAt);
      }
      latenciesMs.push(firstReplyAt - sentAt);
      known = seen;
    }
    return total(known);
  };
  const itemsPerConversation = await Promise.all(
    Array.from({ length: options.conversations }, () => one()),
  );
  const wallMs = Date.now() - started;
  // A turn is complete at the stand-in before the sender has recorded its last send (SENT comes
  // after the API call): let those writes land, so counters read after this run count its own
  // work, not the tail of the run before it.
  await sleep(SETTLE_MS);
  return { latenciesMs, itemsPerConversation, wallMs };
}

/** Longer than a sender invocation takes from its API call to its answer, on the emulators. */
const SETTLE_MS = 500;

export interface ThroughputOptions {
  webhookUrl: string;
  standinUrl: string;
  conversations: number;
  turns: number;
  /** Webhook POSTs in flight at once (each conversation's own are sent in order). */
  concurrency: number;
  /** Stand-in items a conversation of `turns` messages usually ends with (calibration run). */
  expectedItems: number;
  timeoutMs: number;
}

export interface ThroughputResult {
  messages: number;
  /** From the first POST to the last reply item's `receivedAt` at the stand-in. */
  seconds: number;
  msgPerSec: number;
}

/**
 * Customer messages carried per second: every conversation's messages posted as fast as the
 * webhook accepts them, timed until the last item of the last reply reached the stand-in.
 */
export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const ids = Array.from({ length: options.conversations }, () => randomUUID());
  const events = ids.map((id) =>
    Array.from({ length: options.turns }, (_, t) =>
      signedEvent(id, { type: 'text', text: SCRIPT[t % SCRIPT.length] as string }),
    ),
  );
  // One long poll per conversation, waiting for its complete set of replies.
  const waits = ids.map((id) =>
    inspect(options.standinUrl, id, options.expectedItems, options.timeoutMs),
  );
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const conversation = events[next++] ?? [];
      for (const event of conversation) {
        const res = await fetch(options.webhookUrl, {
          method: 'POST',
          headers: webhookHeaders(event),
          body: event.body,
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  // Usually one poll per conversation; a conversation whose replies came out differently
  // (e.g. no greeting) is polled on until its last turn is complete.
  const deadline = started + options.timeoutMs;
  const complete = async (first: Promise<Inspected>, id: string): Promise<Inspected> => {
    let c = await first;
    while (answeredTurns(c) < options.turns) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `conversation ${id}: ${answeredTurns(c)} of ${options.turns} turns complete after ${options.timeoutMs} ms`,
        );
      }
      c = await inspect(options.standinUrl, id, total(c) + 1, Math.min(left, 30_000));
    }
    return c;
  };
  const finals = await Promise.all(waits.map((w, i) => complete(w, ids[i] as string)));
  let last = 0;
  for (const c of finals) {
    for (const item of [...c.messages, ...c.events]) {
      last = Math.max(last, Date.parse(item.receivedAt));
    }
  }
  const messages = options.conversations * options.turns;
  const seconds = (last - started) / 1000;
  return { messages, seconds, msgPerSec: messages / seconds };
}
