import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Timers } from '../../functions/agent-api/events-stream';
import { startPipeline, tokenOf, type Pipeline } from './pipeline';

// `GET /events` over a real socket: the stream is read as it arrives, and the test waits for
// the events it expects (no sleeps). Timers are the test's, so heartbeats fire when told to.

interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

/** Timers that fire only when the test says so. */
class ManualTimers implements Timers {
  private readonly pending = new Map<number, { fn: () => void; repeat: boolean }>();
  private next = 0;
  setInterval = (fn: () => void): unknown => this.add(fn, true);
  setTimeout = (fn: () => void): unknown => this.add(fn, false);
  clearInterval = (handle: unknown): void => void this.pending.delete(handle as number);
  clearTimeout = (handle: unknown): void => void this.pending.delete(handle as number);
  /** Fires every pending interval (`repeat`) or timeout. */
  fire(repeat: boolean): void {
    for (const [handle, timer] of [...this.pending]) {
      if (timer.repeat !== repeat) continue;
      if (!repeat) this.pending.delete(handle);
      timer.fn();
    }
  }
  get count(): number {
    return this.pending.size;
  }
  private add(fn: () => void, repeat: boolean): number {
    this.pending.set(++this.next, { fn, repeat });
    return this.next;
  }
}

/** An open event stream: what arrived so far, and a way to wait for more. */
function openStream(url: string, token: string) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  let ended = false;
  let buffer = '';
  const check = () => {
    for (const w of [...waiters]) {
      if (w.test()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  let status = 0;
  let contentType = '';
  const req = http.get(
    `${url}/events`,
    { headers: { Authorization: `Bearer ${token}` } },
    (res) => {
      status = res.statusCode ?? 0;
      contentType = String(res.headers['content-type']);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else {
              const i = line.indexOf(':');
              fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
            }
          }
          if (fields.event !== undefined) {
            events.push({
              ...(fields.id !== undefined ? { id: fields.id } : {}),
              event: fields.event,
              data: JSON.parse(fields.data ?? 'null') as unknown,
            });
          }
        }
        check();
      });
      res.on('end', () => {
        ended = true;
        check();
      });
    },
  );
  req.on('error', () => undefined);
  const until = (test: () => boolean) =>
    new Promise<void>((resolve) => {
      waiters.push({ test, resolve });
      check();
    });
  return {
    events,
    comments,
    status: () => status,
    contentType: () => contentType,
    /** Resolves once an event named `name` (matching `where`) has arrived. */
    waitFor: (name: string, where: (data: unknown) => boolean = () => true) =>
      until(() => events.some((e) => e.event === name && where(e.data))),
    waitForComment: (prefix: string) => until(() => comments.some((c) => c.startsWith(prefix))),
    waitForEnd: () => until(() => ended),
    close: () => req.destroy(),
  };
}

let p: Pipeline;
let url: string;
let timers: ManualTimers;

beforeEach(async () => {
  timers = new ManualTimers();
  p = await startPipeline({ sse: { heartbeatMs: 15_000, maxStreamMs: 240_000, timers } });
  await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((resolve) => p.server.close(() => resolve()));
  await p.close();
});

const conversationOf = (data: unknown) =>
  (data as { conversation: { id: string; state: string } }).conversation;

it('streams queue changes of the agent’s brands: snapshot, ready, then changes', async () => {
  await p.customer.asksForAgent('conv-before');
  const stream = openStream(url, tokenOf('alex'));
  await stream.waitFor('ready');
  expect(stream.status()).toBe(200);
  expect(stream.contentType()).toMatch(/^text\/event-stream/);
  expect(stream.events.map((e) => e.event)).toEqual(['conversation.updated', 'ready']);
  expect(conversationOf(stream.events[0]?.data)).toMatchObject({
    id: 'conv-before',
    state: 'queued',
  });

  // A new conversation enters the queue.
  await p.customer.asksForAgent('conv-new');
  await stream.waitFor('conversation.updated', (d) => conversationOf(d).id === 'conv-new');
  // Claimed: it changes; the customer writes: a notice; closed: it leaves.
  await p.as('sam').post('/conversations/conv-new/claim').expect(200);
  await stream.waitFor(
    'conversation.updated',
    (d) => conversationOf(d).id === 'conv-new' && conversationOf(d).state === 'with_agent',
  );
  await p.customer.says('conv-new', 'Thanks for picking this up');
  await stream.waitFor('customer.message');
  await p.customer.types('conv-new', true);
  await stream.waitFor('customer.typing');
  await p.as('sam').post('/conversations/conv-new/close').expect(200);
  await stream.waitFor(
    'conversation.removed',
    (d) => (d as { conversationId: string }).conversationId === 'conv-new',
  );
  const ids = stream.events.map((e) => Number(e.id));
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(stream.events.find((e) => e.event === 'customer.message')?.data).toMatchObject({
    conversationId: 'conv-new',
    brandId: 'velo-cafe',
    messageKind: 'text',
    text: 'Thanks for picking this up',
  });
  stream.close();
});

it('shows nothing of other brands', async () => {
  const stream = openStream(url, tokenOf('olga'));
  await stream.waitFor('ready');
  await p.customer.asksForAgent('conv-hidden');
  await p.customer.says('conv-hidden', 'hello?');
  // A change Olga may see arrives after them, in order: nothing of velo-cafe came first.
  await p.feed.publish({
    kind: 'customer.typing',
    key: 'other-1',
    conversationId: 'conv-other',
    brandId: 'other-brand',
    at: '2026-11-25T12:00:00.000Z',
    isTyping: true,
  });
  await stream.waitFor('customer.typing');
  expect(stream.events.map((e) => e.event)).toEqual(['ready', 'customer.typing']);
  stream.close();
});

it('sends heartbeats, ends at its maximum duration, and stops listening', async () => {
  const stopped = new Promise<void>((resolve) => {
    const watch = p.feed.watch.bind(p.feed);
    jest.spyOn(p.feed, 'watch').mockImplementation((brands, watcher) => {
      const stop = watch(brands, watcher);
      return () => {
        stop();
        resolve();
      };
    });
  });
  const stream = openStream(url, tokenOf('alex'));
  await stream.waitFor('ready');
  timers.fire(true);
  await stream.waitForComment('heartbeat');
  timers.fire(false);
  await stream.waitFor('reconnect');
  await stream.waitForEnd();
  await stopped;
  expect(p.feed.watcherCount).toBe(0);
  expect(timers.count).toBe(0);
});

it('stops listening when the client goes away', async () => {
  const stopped = new Promise<void>((resolve) => {
    const watch = p.feed.watch.bind(p.feed);
    jest.spyOn(p.feed, 'watch').mockImplementation((brands, watcher) => {
      const stop = watch(brands, watcher);
      return () => {
        stop();
        resolve();
      };
    });
  });
  const stream = openStream(url, tokenOf('alex'));
  await stream.waitFor('ready');
  stream.close();
  await stopped;
  expect(p.feed.watcherCount).toBe(0);
});

it('refuses a stream without credentials', async () => {
  const stream = openStream(url, 'wrong-token');
  await stream.waitForEnd();
  expect(stream.status()).toBe(401);
});
