import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import * as z from 'zod';
import { Event, Message, Receipt, Survey } from '../../core/business-messages-api';
import { describeIssues } from '../../core/validation-problems';
import {
  DEFAULT_FAULTS,
  FAULT_STATUS,
  FaultSettingsPatch,
  type FaultCode,
  type FaultSettings,
} from './config';
import { StandinStore, type Acceptance } from './store';
import { withoutUndefined } from '../../core/defined-fields';

/**
 * A local stand-in for the Business Messages API's REST surface, faithful enough that the
 * sender cannot tell it from Google on the paths it uses, plus `/_inspect` (what was accepted)
 * and `/_control` (unknown conversations, fault injection) for tests and the local stack.
 *
 * `createHandler` turns a plain request value into a plain response value; `createStandin`
 * only wires it to node:http.
 */

export interface LogEntry {
  severity: 'INFO' | 'WARNING' | 'ERROR';
  message: string;
  [field: string]: unknown;
}

export interface StandinOptions {
  faults?: Partial<FaultSettings>;
  /** Conversations answered with PERMISSION_DENIED, as Google does for ones the agent may not use. */
  unknownConversations?: Iterable<string>;
  /** Stamps `receivedAt` and drives the 24-hour survey window. */
  now?: () => Date;
  /** In [0, 1); decides which requests fail. Pass `seededRandom(n)` for repeatable runs. */
  random?: () => number;
  /** Receives one entry per API request; never given message contents. */
  log?: (entry: LogEntry) => void;
}

export interface StandinControls {
  faults: FaultSettings;
  unknownConversations: Set<string>;
}

export interface StandinState {
  store: StandinStore;
  controls: StandinControls;
}

export interface Standin {
  server: http.Server;
  /** Port 0 picks a free port; the URL ends with `/`, like Google's root URL. */
  listen(port?: number, host?: string): Promise<{ url: string }>;
  /** Answers pending long polls and in-flight requests, then closes every connection. */
  close(): Promise<void>;
  state: StandinState;
}

export interface StandinRequest {
  method: string;
  url: URL;
  authorization: string | undefined;
  /** Raw text; `undefined` when it exceeded the size limit. */
  body: string | undefined;
}

export interface StandinResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_WAIT_MS = 10_000;
const MAX_WAIT_MS = 60_000;

/** Google's canonical status names for the HTTP codes this stand-in answers with. */
const STATUS_NAME: Record<number, string> = {
  ...FAULT_STATUS,
  409: 'ALREADY_EXISTS',
};

/** Google's usual texts, so a log of an injected fault reads like one from production. */
const FAULT_MESSAGE: Record<FaultCode, string> = {
  400: 'Request contains an invalid argument.',
  401: 'Request had invalid authentication credentials.',
  403: 'The caller does not have permission',
  404: 'Requested entity was not found.',
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
  504: 'The request timed out.',
};

export function googleError(
  code: number,
  message: string,
  headers?: Record<string, string>,
): StandinResponse {
  const status = STATUS_NAME[code] ?? 'UNKNOWN';
  return { status: code, body: { error: { code, message, status } }, ...(headers && { headers }) };
}

const ok = (body: unknown): StandinResponse => ({ status: 200, body });

/** mulberry32: tiny, fast and good enough to pick which requests fail. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type ApiRoute =
  | { kind: 'messages.create'; conversationId: string }
  | { kind: 'events.create'; conversationId: string }
  | { kind: 'surveys.create'; conversationId: string }
  | { kind: 'messages.updateReceipt'; conversationId: string; messageId: string };

function matchApiRoute(method: string, segments: string[]): ApiRoute | undefined {
  const [v1, conversations, conversationId, collection, messageId, receipt, ...rest] = segments;
  if (v1 !== 'v1' || conversations !== 'conversations' || !conversationId || rest.length > 0) {
    return undefined;
  }
  if (method === 'POST' && messageId === undefined) {
    if (collection === 'messages') return { kind: 'messages.create', conversationId };
    if (collection === 'events') return { kind: 'events.create', conversationId };
    if (collection === 'surveys') return { kind: 'surveys.create', conversationId };
  }
  if (method === 'PATCH' && collection === 'messages' && messageId && receipt === 'receipt') {
    return { kind: 'messages.updateReceipt', conversationId, messageId };
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Query IDs: Google requires them non-empty; `?eventId=` counts as missing. */
const queryParam = (url: URL, name: string): string | undefined =>
  url.searchParams.get(name) || undefined;

const WaitQuery = z.object({
  waitFor: z.coerce.number().int().min(0).optional(),
  timeoutMs: z.coerce.number().int().min(0).max(MAX_WAIT_MS).default(DEFAULT_WAIT_MS),
});

const UnknownConversations = z.strictObject({ conversationIds: z.array(z.string().min(1)) });

export interface HandlerDeps extends StandinState {
  random: () => number;
  log: (entry: LogEntry) => void;
  /** Aborted when the stand-in closes, so injected latency does not hold it open. */
  shutdown: AbortSignal;
}

/** The stand-in's behaviour, free of sockets: a request value in, a response value out. */
export function createHandler(
  deps: HandlerDeps,
): (request: StandinRequest) => Promise<StandinResponse> {
  const { store, controls } = deps;

  async function handleApi(request: StandinRequest, route: ApiRoute): Promise<StandinResponse> {
    const { latencyMs } = controls.faults;
    if (latencyMs > 0) {
      try {
        await delay(latencyMs, undefined, { signal: deps.shutdown });
      } catch {
        return googleError(503, 'The stand-in is shutting down.');
      }
    }
    const fault = drawFault(controls.faults, deps.random);
    if (fault !== undefined) {
      return googleError(fault, FAULT_MESSAGE[fault], { 'x-standin-fault': 'injected' });
    }
    const auth = request.authorization;
    if (auth !== undefined && !/^Bearer \S+/i.test(auth)) {
      return googleError(401, FAULT_MESSAGE[401]);
    }
    if (controls.unknownConversations.has(route.conversationId)) {
      return googleError(403, FAULT_MESSAGE[403]);
    }
    if (request.body === undefined) {
      return googleError(400, `Request payload exceeds ${MAX_BODY_BYTES} bytes.`);
    }
    let json: unknown;
    try {
      // Google reads an empty body as an empty object; required fields then fail by name.
      json = request.body.trim() === '' ? {} : JSON.parse(request.body);
    } catch {
      return googleError(400, 'Invalid JSON payload received.');
    }
    const meta = { conversationId: route.conversationId, hasAuthorization: auth !== undefined };
    switch (route.kind) {
      case 'messages.create':
        return createMessage(request.url, json, meta);
      case 'events.create':
        return createEvent(request.url, json, meta);
      case 'surveys.create':
        return createSurvey(request.url, json, meta);
      case 'messages.updateReceipt':
        return updateReceipt(json, { ...meta, messageId: route.messageId });
    }
  }

  type Meta = { conversationId: string; hasAuthorization: boolean };

  function createMessage(url: URL, json: unknown, meta: Meta): StandinResponse {
    // Google takes messageId in the body; the query form is accepted for older clients.
    const queryId = queryParam(url, 'messageId');
    if (queryId !== undefined && isRecord(json)) {
      if (json.messageId === undefined) json = { ...json, messageId: queryId };
      else if (json.messageId !== queryId) {
        return googleError(400, 'messageId: the query and the body name different IDs');
      }
    }
    const forceFallback = url.searchParams.get('forceFallback');
    if (forceFallback !== null && forceFallback !== 'true' && forceFallback !== 'false') {
      return googleError(400, 'forceFallback: expected true or false');
    }
    const parsed = Message.safeParse(json);
    if (!parsed.success) return googleError(400, describeIssues(parsed.error));
    const body = parsed.data;
    if (forceFallback === 'true' && !body.fallback) {
      return googleError(400, 'fallback: required when forceFallback is true');
    }
    const { messageId } = body;
    const accepted = store.acceptMessage({
      ...meta,
      messageId,
      forceFallback: forceFallback === 'true',
      body,
    });
    return answer(accepted, `message ${messageId}`, meta, () => ({
      ...body,
      name: `conversations/${meta.conversationId}/messages/${messageId}`,
    }));
  }

  function createEvent(url: URL, json: unknown, meta: Meta): StandinResponse {
    const eventId = queryParam(url, 'eventId');
    if (eventId === undefined) return googleError(400, 'eventId: required query parameter');
    const parsed = Event.safeParse(json);
    if (!parsed.success) return googleError(400, describeIssues(parsed.error));
    const body = parsed.data;
    const accepted = store.acceptEvent({ ...meta, eventId, body });
    return answer(accepted, `event ${eventId}`, meta, () => ({
      ...body,
      name: `conversations/${meta.conversationId}/events/${eventId}`,
    }));
  }

  function createSurvey(url: URL, json: unknown, meta: Meta): StandinResponse {
    const surveyId = queryParam(url, 'surveyId');
    if (surveyId === undefined) return googleError(400, 'surveyId: required query parameter');
    const parsed = Survey.safeParse(json);
    if (!parsed.success) return googleError(400, describeIssues(parsed.error));
    const body = parsed.data;
    const accepted = store.acceptSurvey({ ...meta, surveyId, body });
    return answer(accepted, `survey ${surveyId}`, meta, () => ({
      ...body,
      name: `conversations/${meta.conversationId}/surveys/${surveyId}`,
    }));
  }

  function updateReceipt(json: unknown, meta: Meta & { messageId: string }): StandinResponse {
    const parsed = Receipt.safeParse(json);
    if (!parsed.success) return googleError(400, describeIssues(parsed.error));
    const body = parsed.data;
    const accepted = store.acceptReceipt({ ...meta, body });
    return answer(accepted, `receipt for ${meta.messageId}`, meta, () => ({
      ...body,
      name: `conversations/${meta.conversationId}/messages/${meta.messageId}/receipt`,
    }));
  }

  async function handleInspect(request: StandinRequest, rest: string[]): Promise<StandinResponse> {
    const [collection, conversationId, ...extra] = rest;
    if (request.method === 'DELETE' && collection === undefined) {
      store.reset();
      return ok({});
    }
    if (request.method !== 'GET' || collection !== 'conversations' || extra.length > 0) {
      return googleError(404, 'No such inspection path.');
    }
    if (conversationId === undefined) return ok({ conversations: store.summaries() });
    const query = WaitQuery.safeParse(Object.fromEntries(request.url.searchParams));
    if (!query.success) return googleError(400, describeIssues(query.error));
    const { waitFor, timeoutMs } = query.data;
    if (waitFor === undefined) return ok(store.conversation(conversationId));
    const satisfied = await store.waitForCount(conversationId, waitFor, timeoutMs);
    return {
      status: 200,
      body: store.conversation(conversationId),
      headers: { 'x-standin-wait': satisfied ? 'satisfied' : 'timeout' },
    };
  }

  function handleControl(request: StandinRequest, rest: string[]): StandinResponse {
    const path = rest.join('/');
    if (request.method === 'GET' && path === 'faults') return ok(controls.faults);
    if (request.method !== 'POST' || (path !== 'faults' && path !== 'unknown-conversations')) {
      return googleError(404, 'No such control path.');
    }
    let json: unknown;
    try {
      json = JSON.parse(request.body ?? '');
    } catch {
      return googleError(400, 'Invalid JSON payload received.');
    }
    if (path === 'faults') {
      const patch = FaultSettingsPatch.safeParse(json);
      if (!patch.success) return googleError(400, describeIssues(patch.error));
      controls.faults = { ...controls.faults, ...withoutUndefined(patch.data) };
      return ok(controls.faults);
    }
    const parsed = UnknownConversations.safeParse(json);
    if (!parsed.success) return googleError(400, describeIssues(parsed.error));
    // Replaces the set, so a test can clear it with an empty list.
    controls.unknownConversations = new Set(parsed.data.conversationIds);
    return ok({ conversationIds: [...controls.unknownConversations] });
  }

  return async (request) => {
    let segments: string[];
    try {
      segments = request.url.pathname.split('/').slice(1).map(decodeURIComponent);
    } catch {
      return googleError(400, 'Malformed percent-encoding in the path.');
    }
    const [root, ...rest] = segments;
    if (root === 'healthz' && rest.length === 0) return ok({ status: 'ok' });
    if (root === '_inspect') return handleInspect(request, rest);
    if (root === '_control') return handleControl(request, rest);
    const route = matchApiRoute(request.method, segments);
    if (route === undefined) {
      return googleError(404, `No method ${request.method} ${request.url.pathname}.`);
    }
    const response = await handleApi(request, route);
    deps.log({
      severity: response.status >= 500 ? 'WARNING' : 'INFO',
      message: 'bm-api-standin request',
      method: route.kind,
      conversationId: route.conversationId,
      status: response.status,
      ...(response.headers?.['x-standin-fault'] === 'injected' ? { injected: true } : {}),
    });
    return response;
  };
}

function answer<T>(
  accepted: Acceptance<T>,
  what: string,
  meta: { conversationId: string },
  resource: () => unknown,
): StandinResponse {
  if (accepted.ok) return ok(resource());
  return accepted.refusal === 'duplicate'
    ? googleError(409, `${what} already exists in conversation ${meta.conversationId}.`)
    : googleError(429, 'Only one survey per conversation is allowed within 24 hours.');
}

function drawFault(faults: FaultSettings, random: () => number): FaultCode | undefined {
  // A zero rate draws nothing, so enabling faults later does not shift a seeded sequence.
  if (faults.rate <= 0 || random() >= faults.rate) return undefined;
  return faults.codes[Math.floor(random() * faults.codes.length)] ?? faults.codes[0];
}

/** Wires `createHandler` to a node:http server. */
export function createStandin(options: StandinOptions = {}): Standin {
  const store = new StandinStore(options.now ?? (() => new Date()));
  const state: StandinState = {
    store,
    controls: {
      faults: { ...DEFAULT_FAULTS, ...withoutUndefined(options.faults ?? {}) },
      unknownConversations: new Set(options.unknownConversations ?? []),
    },
  };
  // Handler and `state` share one `controls` object: `/_control` changes show in `state`.
  const shutdown = new AbortController();
  const log = options.log ?? (() => undefined);
  const handle = createHandler({
    ...state,
    random: options.random ?? Math.random,
    log,
    shutdown: shutdown.signal,
  });
  const inflight = new Set<Promise<void>>();

  const server = http.createServer((req, res) => {
    const served = serve(req, res, handle)
      .catch(async (error: unknown) => {
        log({ severity: 'ERROR', message: 'bm-api-standin failed', error: String(error) });
        if (res.headersSent) res.destroy();
        else await send(res, googleError(500, FAULT_MESSAGE[500]));
      })
      .finally(() => inflight.delete(served));
    inflight.add(served);
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    state,
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve({ url: urlOf(server.address() as AddressInfo) });
        });
      }),
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        store.close();
        shutdown.abort();
        await Promise.allSettled([...inflight]);
        // Keep-alive sockets (fetch keeps them) would otherwise hold the server open.
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

async function serve(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  handle: (request: StandinRequest) => Promise<StandinResponse>,
): Promise<void> {
  const body = await readBody(req);
  const response = await handle({
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', 'http://bm-api-standin'),
    authorization: req.headers.authorization,
    body,
  });
  await send(res, response);
}

async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when too large, so the client sees the answer, not a reset.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function send(res: http.ServerResponse, response: StandinResponse): Promise<void> {
  const text = JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...response.headers,
  });
  // Resolve on 'close' too: a client that went away never lets the response finish.
  return new Promise((resolve) => {
    res.once('close', resolve);
    res.end(text, resolve);
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}/`;
}
