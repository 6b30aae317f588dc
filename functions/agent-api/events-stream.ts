import type { Response } from '@google-cloud/functions-framework';
import { servesBrand, type AgentRecord } from '../core/agent-record';
import type { Logger } from '../platform/logger';
import type { ConversationFeed, FeedEvent } from '../ports/conversation-feed';
import { conversationView } from './views';

/** The timer functions the stream uses; tests pass their own to fire heartbeats at will. */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SseOptions {
  /** A comment line this often, so proxies and load balancers keep the stream open. */
  heartbeatMs: number;
  /** The stream ends after this long; the client reconnects (EventSource does by itself). */
  maxStreamMs: number;
  /** What the client is told to wait before reconnecting. */
  retryMs: number;
  timers: Timers;
}

const systemTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * `GET /events`: server-sent events for an agent's console, only of the agent's brands.
 *
 * - `conversation.updated` `{conversation}`: a queued or held conversation appeared or changed;
 *   on connecting, one per live conversation (the snapshot), then `ready`;
 * - `conversation.removed` `{conversationId, brandId}`: it went back to the bot or was closed;
 * - `customer.typing` / `customer.message`: what the customer is doing (see FeedNotice);
 * - `reconnect`: the stream is about to end (its maximum duration); connect again.
 *
 * Every event has an increasing `id`. A reconnecting client gets a fresh snapshot, so nothing
 * but typing notices is lost in between.
 */
export function streamEvents(
  res: Response,
  options: {
    feed: ConversationFeed;
    agent: AgentRecord;
    log: Logger;
    now: () => Date;
  } & Partial<SseOptions>,
): void {
  const { feed, agent, log, now } = options;
  const timers = options.timers ?? systemTimers;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxStreamMs = options.maxStreamMs ?? 240_000;
  const retryMs = options.retryMs ?? 3_000;

  res.status(200);
  res.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write(`retry: ${retryMs}\n\n`);

  let sequence = 0;
  let open = true;
  const send = (event: string, data: unknown) => {
    if (!open) return;
    sequence += 1;
    res.write(`id: ${sequence}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  const translate = (event: FeedEvent) => {
    switch (event.type) {
      case 'conversation.updated':
        if (servesBrand(agent, event.conversation.brandId)) {
          send('conversation.updated', { conversation: conversationView(event.conversation) });
        }
        return;
      case 'conversation.removed':
        if (servesBrand(agent, event.brandId)) {
          send('conversation.removed', {
            conversationId: event.conversationId,
            brandId: event.brandId,
          });
        }
        return;
      case 'notice': {
        if (!servesBrand(agent, event.notice.brandId)) return;
        const { kind, ...data } = event.notice;
        send(kind, data);
        return;
      }
      case 'ready':
        send('ready', { brandIds: agent.brandIds });
        return;
    }
  };

  let stop: (() => void) | undefined;
  const heartbeat = timers.setInterval(() => {
    if (open) res.write(`: heartbeat ${now().toISOString()}\n\n`);
  }, heartbeatMs);
  const deadline = timers.setTimeout(() => {
    send('reconnect', { afterMs: retryMs });
    end();
  }, maxStreamMs);

  function cleanUp() {
    if (!open) return;
    open = false;
    timers.clearInterval(heartbeat);
    timers.clearTimeout(deadline);
    stop?.();
    stop = undefined;
  }
  function end() {
    cleanUp();
    res.end();
  }
  // The client went away (or the stream ended): stop listening.
  res.on('close', cleanUp);

  log.info('event stream opened', {
    event: 'agent_api_stream_opened',
    liveAgentId: agent.agentId,
    brands: agent.brandIds.length,
  });
  stop = feed.watch(agent.brandIds, {
    event: translate,
    error: (error) => {
      log.error('event stream feed failed; closing the stream', {
        event: 'agent_api_stream_failed',
        error,
      });
      send('error', { code: 'UNAVAILABLE', message: 'the feed failed; reconnect' });
      end();
    },
  });
  // watch() may have delivered its snapshot, or failed, synchronously.
  if (!open) {
    stop();
    stop = undefined;
  }
}
