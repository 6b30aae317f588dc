import type { Request, Response } from '@google-cloud/functions-framework';
import type * as z from 'zod';
import type { AgentRecord } from '../core/agent-record';
import type { Conversation, ConversationState } from '../core/conversation';
import { MAX_QUERY_DISJUNCTIONS } from '../core/conversation';
import { classifyFailure } from '../core/failure';
import {
  humanMessageCommand,
  joinedCommand,
  leftCommand,
  readReceiptCommands,
  surveyCommand,
  typingCommand,
} from '../core/agent-commands';
import {
  canSee,
  claimConversation,
  closeConversation,
  closeRefusal,
  releaseConversation,
  releaseRefusal,
  seenOf,
  type HandoffRefusal,
} from '../core/agent-operations';
import type { Digest } from '../core/inbound-event';
import { outboundBusMessage, type OutboundCommand } from '../core/outbound-command';
import { queuedAtOf } from '../core/queue-notice';
import { describeIssues } from '../core/validation-problems';
import type { Logger } from '../platform/logger';
import { traceIdFromHeaders } from '../platform/trace';
import type { AgentAuthenticator } from '../ports/agent-authenticator';
import type { BrandDirectory } from '../ports/brand-directory';
import type { ConversationFeed } from '../ports/conversation-feed';
import type { ConversationStore, Rejection } from '../ports/conversation-store';
import type { EventBus } from '../ports/event-bus';
import { MALFORMED_JSON, type RequestWithMalformedJson } from '../platform/malformed-json';
import { streamEvents, type SseOptions } from './events-stream';
import {
  CloseBody,
  ConversationId,
  EmptyBody,
  GetQuery,
  IdempotencyKey,
  ListQuery,
  NoQuery,
  SendMessageBody,
  SignInBody,
  TypingBody,
} from './schemas';
import type { ConsoleAssets } from './console-assets';
import { CONSOLE_HEADER, sessionCookieHeader, type SessionSignIn } from './session';
import { conversationView, messageViews, type BrandView, type SessionView } from './views';

export interface AgentApiDeps {
  auth: AgentAuthenticator;
  store: ConversationStore;
  /**
   * The brand's `dedicated` flag, for the attribute of its outbound commands, and its
   * configuration for the console's session (names, languages, canned responses). A broken
   * configuration never stops an agent from working a conversation.
   */
  brands: Pick<BrandDirectory, 'isDedicated' | 'get'>;
  /** The console's token sign-in (`POST /session`); absent behind Identity-Aware Proxy. */
  sessions?: SessionSignIn;
  /** Where the built console is (default: dist/console); read on its first request. */
  consoleDir?: string;
  /** Only `outbound`. */
  bus: EventBus;
  feed: ConversationFeed;
  log: Logger;
  now: () => Date;
  digest: Digest;
  newTraceId: () => string;
  /**
   * A fresh unique ID for each message sent without an idempotency key (`randomUUID`). It
   * only seeds the message ID, which is derived from it like every other ID.
   */
  newId: () => string;
  sse?: Partial<SseOptions>;
}

/** The stable error codes of the API, with their HTTP status. */
export const ERROR_STATUS = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** An answer other than success: `{"error": {"code", "message"}}` with the code's status. */
export class ApiProblem extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More fields of the `error` object, e.g. `heldBy` on a lost claim. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

interface Call {
  req: Request;
  res: Response;
  agent: AgentRecord;
  /** Set when the console's session cookie authenticated the request. */
  session?: { expiresAt: string };
  log: Logger;
  traceId: string;
  /** The conversation ID of the path, when the route has one. */
  id: string;
}

type Operation = (call: Call) => Promise<void>;

/** A request answered without an agent's credentials. */
type PublicCall = Pick<Call, 'req' | 'res' | 'log' | 'traceId'>;
type PublicOperation = (call: PublicCall) => Promise<void>;

interface Route {
  name: string;
  pattern: RegExp;
  methods: Partial<Record<string, Operation>>;
}

/**
 * The `agentApi` HTTP function: JSON over REST for live agents' consoles (README "Agent API").
 * Every request is authenticated first (Identity-Aware Proxy, or a bearer token locally); an
 * agent sees and touches only its brands' conversations (another brand's: 404, so existence is
 * not revealed). Everything for the customer is published to `outbound`, in order, with IDs
 * derived from what caused it, so a retried claim, release or close never sends twice, nor does
 * a message retried with the same `Idempotency-Key` or `clientMessageId`; a message sent
 * without either is a new message every time.
 */
export function makeAgentApiHandler(deps: AgentApiDeps) {
  const { store } = deps;

  const routes: Route[] = [
    { name: 'conversations', pattern: /^\/conversations\/?$/, methods: { GET: list } },
    { name: 'conversation', pattern: /^\/conversations\/([^/]+)\/?$/, methods: { GET: get } },
    { name: 'claim', pattern: /^\/conversations\/([^/]+)\/claim\/?$/, methods: { POST: claim } },
    {
      name: 'messages',
      pattern: /^\/conversations\/([^/]+)\/messages\/?$/,
      methods: { POST: sendMessage },
    },
    { name: 'typing', pattern: /^\/conversations\/([^/]+)\/typing\/?$/, methods: { POST: typing } },
    {
      name: 'release',
      pattern: /^\/conversations\/([^/]+)\/release\/?$/,
      methods: { POST: release },
    },
    { name: 'close', pattern: /^\/conversations\/([^/]+)\/close\/?$/, methods: { POST: close } },
    { name: 'events', pattern: /^\/events\/?$/, methods: { GET: events } },
    { name: 'session', pattern: /^\/session\/?$/, methods: { GET: session } },
  ];

  /** What answers without an agent's credentials: the console's files, sign-in and sign-out. */
  const publicRoutes: Route[] = [
    { name: 'root', pattern: /^\/?$/, methods: { GET: toConsole, HEAD: toConsole } },
    {
      name: 'console',
      pattern: /^\/console(\/.*)?$/,
      methods: { GET: serveConsole, HEAD: serveConsole },
    },
    { name: 'openapi', pattern: /^\/openapi\.json$/, methods: { GET: openApi } },
    { name: 'session', pattern: /^\/session\/?$/, methods: { POST: signIn, DELETE: signOut } },
  ];
  let consoleFiles: ConsoleAssets | undefined;
  let openApiJson: string | undefined;

  return async (req: Request, res: Response): Promise<void> => {
    const traceId = traceIdFromHeaders(req.headers) ?? deps.newTraceId();
    let log = deps.log.with({ traceId });
    let routeName = 'unknown';
    try {
      const open = resolvePublic(req.method, req.path);
      if (open) {
        routeName = open.route.name;
        await open.operation({ req, res, log, traceId });
        return;
      }
      const auth = await deps.auth.authenticate(req.headers);
      if (!auth.ok) {
        log.warn(`agent API request refused: ${auth.reason}`, {
          event: 'agent_api_refused',
          code: auth.code,
          reason: auth.reason,
          method: req.method,
          path: req.path,
        });
        throw auth.code === 'UNAUTHENTICATED'
          ? new ApiProblem('UNAUTHENTICATED', 'missing or invalid credentials', {
              'WWW-Authenticate': 'Bearer realm="agent-api"',
            })
          : new ApiProblem('FORBIDDEN', 'not a registered agent');
      }
      const agent = auth.agent;
      const { route, operation, id } = resolve(req.method, req.path);
      routeName = route.name;
      if (auth.session !== undefined && req.method !== 'GET' && req.method !== 'HEAD') {
        refuseCrossSite(req);
      }
      if (id !== undefined) log = log.with({ labels: { conversationId: id } });
      await operation({
        req,
        res,
        agent,
        log,
        traceId,
        id: id ?? '',
        ...(auth.session ? { session: auth.session } : {}),
      });
      if (route.name !== 'events') {
        log.info(`${req.method} ${route.name}: ${res.statusCode}`, {
          event: 'agent_api_request',
          route: route.name,
          method: req.method,
          status: res.statusCode,
          liveAgentId: agent.agentId,
        });
      }
    } catch (error) {
      fail(res, error, log, routeName);
    }
  };

  /** A public route's operation; undefined when the path is not public (or the method isn't). */
  function resolvePublic(
    method: string,
    path: string,
  ): { route: Route; operation: PublicOperation } | undefined {
    for (const route of publicRoutes) {
      if (!route.pattern.test(path)) continue;
      const operation = (route.methods as Partial<Record<string, PublicOperation>>)[method];
      // `GET /session` and friends are an agent's: those fall through to the authenticated routes.
      if (operation) return { route, operation };
    }
    return undefined;
  }

  function resolve(
    method: string,
    path: string,
  ): { route: Route; operation: Operation; id?: string } {
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const operation = route.methods[method];
      if (!operation) {
        throw new ApiProblem('METHOD_NOT_ALLOWED', `${method} is not allowed here`, {
          Allow: Object.keys(route.methods).join(', '),
        });
      }
      if (match[1] === undefined) return { route, operation };
      let id: string;
      try {
        id = decodeURIComponent(match[1]);
      } catch {
        throw new ApiProblem('INVALID_ARGUMENT', 'the conversation ID is not valid URL encoding');
      }
      return { route, operation, id: parse(ConversationId, id, 'conversation ID') };
    }
    throw new ApiProblem('NOT_FOUND', `no such resource: ${path}`);
  }

  // -------------------------------------------------------------------------------------------
  // Operations

  /** `GET /conversations?state=queued|with_agent&mine=true&limit=N`, newest change first. */
  async function list({ req, res, agent }: Call): Promise<void> {
    const query = parse(ListQuery, req.query, 'query');
    const states: ConversationState[] = query.state ? [query.state] : ['queued', 'with_agent'];
    const limit = query.limit ?? 50;
    const perQuery = Math.max(1, Math.floor(MAX_QUERY_DISJUNCTIONS / states.length));
    const chunks: string[][] = [];
    for (let i = 0; i < agent.brandIds.length; i += perQuery) {
      chunks.push(agent.brandIds.slice(i, i + perQuery));
    }
    const found = (
      await Promise.all(
        chunks.map((brandIds) =>
          store.listConversations({
            brandIds,
            states,
            limit,
            ...(query.mine === 'true' ? { assigneeId: agent.agentId } : {}),
          }),
        ),
      )
    ).flat();
    found.sort((a, b) => (a.updatedAt > b.updatedAt ? -1 : a.updatedAt < b.updatedAt ? 1 : 0));
    res.status(200).json({ conversations: found.slice(0, limit).map(conversationView) });
  }

  /**
   * `GET /conversations/{id}`: the conversation and its log; the customer's messages not yet
   * marked read are marked READ (unless another agent holds the conversation).
   */
  async function get({ req, res, agent, id, log, traceId }: Call): Promise<void> {
    const query = parse(GetQuery, req.query, 'query');
    const conversation = await visible(id, agent);
    const entries = await store.getMessages(id, query.limit ?? 100);
    const observer =
      conversation.state === 'with_agent' && conversation.assignee?.agentId !== agent.agentId;
    if (!observer) {
      const receipts = readReceiptCommands(conversation, entries, {
        causedBy: `agent-api:read:${agent.agentId}`,
        createdAt: deps.now().toISOString(),
      });
      try {
        await publish(conversation, receipts, traceId, log);
      } catch (error) {
        // Reading works without them; the next read publishes the ones still missing.
        log.warn('read receipts not published', {
          event: 'agent_api_receipts_failed',
          count: receipts.length,
          error,
        });
      }
    }
    res
      .status(200)
      .json({ conversation: conversationView(conversation), messages: messageViews(entries) });
  }

  /**
   * `POST /conversations/{id}/claim`: of concurrent claims exactly one wins (a transaction);
   * the others get 409. REPRESENTATIVE_JOINED is on `outbound` before the claim answers 200,
   * so before any of the agent's messages. Claiming what you hold answers 200 again (and
   * republishes the same JOINED, in case the first answer was lost with its publish): so a
   * JOINED whose publish failed (transiently) after the claim committed answers 503, and the
   * agent's retry publishes it.
   */
  async function claim({ req, res, agent, id, log, traceId }: Call): Promise<void> {
    parse(EmptyBody, jsonBody(req), 'body');
    const before = await visible(id, agent);
    const key = `claim:${agent.agentId}:${before.state}:${before.stateChangedAt ?? 'never'}`;
    const result = await store.updateConversation(id, key, (current) =>
      claimConversation(current, agent),
    );
    let conversation: Conversation | null;
    if (result.ok) {
      conversation = result.conversation;
    } else if (result.rejection.code === 'ALREADY_DONE' || result.rejection.code === 'CONFLICT') {
      conversation = await store.getConversation(id);
    } else {
      throw problemOf(result.rejection);
    }
    if (
      conversation === null ||
      conversation.state !== 'with_agent' ||
      conversation.assignee?.agentId !== agent.agentId
    ) {
      // Lost to another agent: say who, so the console can tell the agent ("Taken by Sam").
      const holder = conversation?.state === 'with_agent' ? conversation.assignee : null;
      if (holder) {
        throw new ApiProblem(
          'CONFLICT',
          `taken by ${holder.displayName}`,
          {},
          { heldBy: { agentId: holder.agentId, displayName: holder.displayName } },
        );
      }
      throw result.ok
        ? new ApiProblem('CONFLICT', 'the conversation was claimed by another agent')
        : problemOf(result.rejection);
    }
    const joined = joinedCommand(conversation, context(`agent-api:claim:${agent.agentId}`));
    // Logged once committed, before the publish: a JOINED that fails is republished by the
    // agent's retry, which finds the claim already done and must not count it again.
    const fresh = result.ok && !result.duplicate;
    if (fresh) {
      const waited =
        Date.parse(conversation.stateChangedAt ?? conversation.updatedAt) -
        Date.parse(queuedAtOf(before));
      log.info(`conversation claimed by ${agent.agentId}`, {
        event: 'conversation_claimed',
        liveAgentId: agent.agentId,
        queueWaitMs: Number.isFinite(waited) ? Math.max(0, waited) : undefined,
        eventId: joined.eventId,
      });
    }
    await publish(conversation, [joined], traceId, log);
    res.status(200).json({ conversation: conversationView(conversation) });
  }

  /**
   * `POST /conversations/{id}/messages {text, suggestions?, clientMessageId?}`: a message from
   * the agent holding the conversation. With an idempotency key (the `Idempotency-Key` header,
   * else `clientMessageId`) its ID is derived from the key, so a retry with the same key is the
   * same message and reaches the customer once. Without one, every request is a new message
   * (a fresh ID): an agent may say "Thanks!" twice, but a retried request is then sent again.
   */
  async function sendMessage({ req, res, agent, id, traceId, log }: Call): Promise<void> {
    const body = parse(SendMessageBody, jsonBody(req), 'body');
    const headerKey = idempotencyKeyOf(req);
    const conversation = await held(id, agent);
    const key =
      headerKey !== undefined
        ? `header:${headerKey}`
        : body.clientMessageId !== undefined
          ? `client:${body.clientMessageId}`
          : `fresh:${deps.newId()}`;
    const built = humanMessageCommand(
      conversation,
      agent,
      {
        text: body.text,
        idempotencyKey: key,
        ...(body.suggestions !== undefined ? { suggestions: body.suggestions } : {}),
      },
      context(`agent-api:message:${agent.agentId}`),
    );
    if (!built.ok) throw new ApiProblem('INVALID_ARGUMENT', built.problems);
    await publish(conversation, [built.command], traceId, log);
    res.status(202).json({ conversationId: id, messageId: built.command.message.messageId });
  }

  /** `POST /conversations/{id}/typing {isTyping}`: TYPING_STARTED/STOPPED from the agent. */
  async function typing({ req, res, agent, id, traceId, log }: Call): Promise<void> {
    const body = parse(TypingBody, jsonBody(req), 'body');
    const conversation = await held(id, agent);
    const key = idempotencyKeyOf(req) ?? `at:${deps.now().toISOString()}`;
    const command = typingCommand(
      conversation,
      agent,
      body.isTyping,
      key,
      context(`agent-api:typing:${agent.agentId}`),
    );
    await publish(conversation, [command], traceId, log);
    res.status(202).json({ conversationId: id, eventId: command.eventId });
  }

  /**
   * `POST /conversations/{id}/release`: REPRESENTATIVE_LEFT, then the conversation is the
   * bot's again (state `bot`, assignee cleared). LEFT is published before the state changes: a
   * failed change is retried with the same LEFT (same ID), and nothing the bot says can come
   * before it.
   */
  async function release({ req, res, agent, id, log, traceId }: Call): Promise<void> {
    parse(EmptyBody, jsonBody(req), 'body');
    const conversation = await visible(id, agent);
    const refusal = releaseRefusal(conversation, agent);
    if (refusal) throw problemOf(refusal);
    const seen = seenOf(conversation);
    await publish(
      conversation,
      [leftCommand(conversation, context(`agent-api:release:${agent.agentId}`))],
      traceId,
      log,
    );
    const result = await store.updateConversation(
      id,
      `release:${agent.agentId}:${seen.stateChangedAt ?? 'never'}`,
      (current) => releaseConversation(current, agent, seen),
    );
    if (!result.ok) throw problemOf(result.rejection);
    log.info(`conversation released by ${agent.agentId}`, {
      event: 'conversation_released',
      liveAgentId: agent.agentId,
    });
    res.status(200).json({ conversation: conversationView(result.conversation) });
  }

  /**
   * `POST /conversations/{id}/close {survey?}`: REPRESENTATIVE_LEFT if a human held it, state
   * `closed`, then (if asked) a survey. Closing a closed conversation answers 200 and sends
   * nothing.
   */
  async function close({ req, res, agent, id, log, traceId }: Call): Promise<void> {
    const body = parse(CloseBody, jsonBody(req), 'body');
    const conversation = await visible(id, agent);
    const refusal = closeRefusal(conversation, agent);
    if (refusal?.code === 'ALREADY_DONE') {
      res.status(200).json({ conversation: conversationView(conversation) });
      return;
    }
    if (refusal) throw problemOf(refusal);
    const seen = seenOf(conversation);
    const ctx = context(`agent-api:close:${agent.agentId}`);
    if (conversation.state === 'with_agent') {
      await publish(conversation, [leftCommand(conversation, ctx)], traceId, log);
    }
    const result = await store.updateConversation(
      id,
      `close:${agent.agentId}:${seen.state}:${seen.stateChangedAt ?? 'never'}`,
      (current) => closeConversation(current, agent, seen),
    );
    if (!result.ok) throw problemOf(result.rejection);
    let surveyId: string | undefined;
    if (body.survey === true) {
      const survey = surveyCommand(conversation, seen, ctx);
      try {
        await publish(conversation, [survey], traceId, log);
        surveyId = survey.surveyId;
      } catch (error) {
        // The close stands; a survey is a nicety, and Google may send its own.
        log.error('conversation closed, but its survey was not published', {
          event: 'agent_api_survey_failed',
          error,
        });
      }
    }
    log.info(`conversation closed by ${agent.agentId}`, {
      event: 'conversation_closed',
      liveAgentId: agent.agentId,
      previousState: seen.state,
      survey: surveyId !== undefined,
    });
    res.status(200).json({
      conversation: conversationView(result.conversation),
      ...(surveyId !== undefined ? { surveyId } : {}),
    });
  }

  /** `GET /events`: server-sent events of the agent's brands' queue and conversations. */
  async function events({ req, res, agent, log }: Call): Promise<void> {
    parse(NoQuery, req.query, 'query');
    streamEvents(res, {
      feed: deps.feed,
      agent,
      log,
      now: deps.now,
      ...deps.sse,
    });
    return Promise.resolve();
  }

  // -------------------------------------------------------------------------------------------
  // Sessions, the console and the API's description

  /** `GET /session`: who is signed in, and the brands they serve as the console needs them. */
  async function session({ res, agent, log, session: cookie }: Call): Promise<void> {
    const view: SessionView = {
      agent: {
        agentId: agent.agentId,
        email: agent.email,
        displayName: agent.displayName,
        brandIds: agent.brandIds,
      },
      auth: deps.sessions ? 'tokens' : 'iap',
      expiresAt: cookie?.expiresAt ?? null,
      brands: await Promise.all(agent.brandIds.map((brandId) => brandView(brandId, log))),
    };
    res.set('Cache-Control', 'no-store');
    res.status(200).json(view);
  }

  /** A brand for the console; its ID alone when its configuration cannot be read. */
  async function brandView(brandId: string, log: Logger): Promise<BrandView> {
    try {
      const brand = await deps.brands.get(brandId);
      if (brand) {
        return {
          brandId,
          displayName: brand.displayName,
          defaultLocale: brand.defaultLocale,
          locales: brand.locales,
          places: brand.places ?? {},
          cannedResponses: brand.cannedResponses ?? [],
        };
      }
    } catch (error) {
      log.warn(`brand ${brandId} could not be read for the console`, {
        event: 'agent_api_brand_unreadable',
        brandId,
        error,
      });
    }
    return {
      brandId,
      displayName: brandId,
      defaultLocale: null,
      locales: [],
      places: {},
      cannedResponses: [],
    };
  }

  /**
   * `POST /session {token}`: the console's sign-in in token mode. The token is checked like a
   * bearer token and traded for an HttpOnly, SameSite=Strict cookie; it is never logged.
   */
  async function signIn({ req, res, log }: PublicCall): Promise<void> {
    refuseCrossSite(req);
    const sessions = deps.sessions;
    if (!sessions) {
      throw new ApiProblem(
        'NOT_FOUND',
        'sign-in by token is off: Identity-Aware Proxy signs agents in',
      );
    }
    const { token } = parse(SignInBody, jsonBody(req), 'body');
    const signedIn = await sessions.signIn(token);
    if (!signedIn) {
      log.warn('console sign-in refused: unknown token', { event: 'agent_api_sign_in_refused' });
      throw new ApiProblem('UNAUTHENTICATED', 'unknown agent token');
    }
    const { agent, cookie, expiresAt } = signedIn;
    res.set('Set-Cookie', sessionCookieHeader(cookie, sessions.ttlMs, isHttps(req)));
    log.info(`console session opened for ${agent.agentId}`, {
      event: 'agent_api_signed_in',
      liveAgentId: agent.agentId,
    });
    await session({
      req,
      res,
      agent,
      log,
      traceId: '',
      id: '',
      session: { expiresAt: expiresAt.toISOString() },
    });
  }

  /** `DELETE /session`: signs out (the cookie is cleared whether or not it was valid). */
  function signOut({ req, res }: PublicCall): Promise<void> {
    refuseCrossSite(req);
    res.set('Set-Cookie', sessionCookieHeader('', 0, isHttps(req)));
    res.status(204).end();
    return Promise.resolve();
  }

  /** `GET /`: the console is what a person opening the agent API's address wants. */
  function toConsole({ res }: PublicCall): Promise<void> {
    res.redirect(302, '/console/');
    return Promise.resolve();
  }

  /** `GET /console/…`: the console's files, read on the first request of the instance. */
  async function serveConsole({ req, res }: PublicCall): Promise<void> {
    const rest = /^\/console(\/.*)?$/.exec(req.path)?.[1];
    if (rest === undefined) {
      res.redirect(301, '/console/');
      return;
    }
    // Loaded with the first request for the console: API requests never load or read it.
    const { CONSOLE_SECURITY_HEADERS, defaultConsoleDir, loadConsoleAssets } =
      await import('./console-assets');
    consoleFiles ??= loadConsoleAssets(deps.consoleDir ?? defaultConsoleDir());
    if (!consoleFiles.ok) throw new ApiProblem('UNAVAILABLE', consoleFiles.reason);
    const name = rest === '/' ? 'index.html' : rest.slice(1);
    const file = /^[A-Za-z0-9._-]+$/.test(name) ? consoleFiles.files.get(name) : undefined;
    if (!file) throw new ApiProblem('NOT_FOUND', `no such console file: ${name}`);
    res.set({
      ...CONSOLE_SECURITY_HEADERS,
      'Content-Type': file.contentType,
      // Not fingerprinted: revalidate every time (a 304 costs a few bytes).
      'Cache-Control': 'no-cache',
      ETag: file.etag,
      Vary: 'Accept-Encoding',
    });
    if (req.get('if-none-match') === file.etag) {
      res.status(304).end();
      return;
    }
    const gzip = /\bgzip\b/.test(req.get('accept-encoding') ?? '');
    const body = gzip ? file.gzip : file.body;
    if (gzip) res.set('Content-Encoding', 'gzip');
    res.status(200).send(req.method === 'HEAD' ? Buffer.alloc(0) : body);
  }

  /** `GET /openapi.json`, built on its first request (the generator loads nothing at start). */
  async function openApi({ res }: PublicCall): Promise<void> {
    if (openApiJson === undefined) {
      const { openApiDocument } = await import('./openapi');
      openApiJson = JSON.stringify(openApiDocument());
    }
    res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.status(200).send(openApiJson);
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  /** The conversation, if the agent may see it; another brand's is as unknown as a missing one. */
  async function visible(id: string, agent: AgentRecord): Promise<Conversation> {
    const conversation = await store.getConversation(id);
    if (conversation === null || !canSee(agent, conversation)) {
      throw new ApiProblem('NOT_FOUND', 'conversation not found');
    }
    return conversation;
  }

  /** The conversation, if the agent holds it (403 otherwise). */
  async function held(id: string, agent: AgentRecord): Promise<Conversation> {
    const conversation = await visible(id, agent);
    if (conversation.state !== 'with_agent' || conversation.assignee?.agentId !== agent.agentId) {
      throw new ApiProblem(
        'FORBIDDEN',
        conversation.state === 'with_agent'
          ? 'another agent holds this conversation'
          : 'claim the conversation first: only the agent holding it may do this',
      );
    }
    return conversation;
  }

  function context(causedBy: string) {
    return { causedBy, createdAt: deps.now().toISOString(), digest: deps.digest };
  }

  /** Publishes in order (ordering key: the conversation), each accepted before the next. */
  async function publish(
    conversation: Conversation,
    commands: readonly OutboundCommand[],
    traceId: string,
    log: Logger,
  ): Promise<void> {
    if (commands.length === 0) return;
    const dedicated = await isDedicated(conversation.brandId, log);
    for (const command of commands) {
      await deps.bus.publish('outbound', outboundBusMessage(command, { traceId, dedicated }));
    }
  }

  /**
   * The brand's routing flag. Never a reason to fail: a claim may already have committed, and
   * a conversation held by an agent who cannot speak is stuck. Unreadable, the commands go to
   * the shared sender, which sends for any brand (only their order relative to the dedicated
   * sender's is not guaranteed), and a warning tells the operators.
   */
  async function isDedicated(brandId: string, log: Logger): Promise<boolean> {
    try {
      return await deps.brands.isDedicated(brandId);
    } catch (error) {
      log.warn(`the dedicated flag of brand ${brandId} could not be read; published as shared`, {
        event: 'agent_api_dedicated_unknown',
        brandId,
        error,
      });
      return false;
    }
  }
}

// ---------------------------------------------------------------------------------------------

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  // The problem names the value (`invalid body: …`), so an issue with the whole of it needs no path.
  const problems = describeIssues(parsed.error, { root: null });
  throw new ApiProblem('INVALID_ARGUMENT', `invalid ${what}: ${problems}`);
}

/** The JSON body, or `{}` when there is none. */
function jsonBody(req: Request): unknown {
  const malformed = (req as RequestWithMalformedJson)[MALFORMED_JSON];
  // The parser's words (they quote the body) go back to the agent who sent it, and no further:
  // answers are not logged.
  if (malformed !== undefined)
    throw new ApiProblem('INVALID_ARGUMENT', `invalid JSON: ${malformed.detail}`);
  const body: unknown = req.body;
  if (body === undefined || body === null || body === '') return {};
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) return {};
    throw new ApiProblem(
      'INVALID_ARGUMENT',
      'the body must be JSON (Content-Type: application/json)',
    );
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiProblem('INVALID_ARGUMENT', 'the body must be a JSON object');
  }
  return body;
}

/**
 * A state-changing request that a cookie authenticates must come from the console itself: it
 * carries `X-BM-Console: 1`, which a cross-site form or image cannot send (and which a cross-site
 * script could send only after a CORS preflight that this API never grants), and, when the
 * browser names its origin, that origin is this one.
 */
function refuseCrossSite(req: Request): void {
  if (req.get(CONSOLE_HEADER) !== '1') {
    throw new ApiProblem(
      'FORBIDDEN',
      `cross-site request refused: send the ${CONSOLE_HEADER} header`,
    );
  }
  const origin = req.get('origin');
  if (origin === undefined) return;
  const host = req.get('x-forwarded-host') ?? req.get('host');
  let sameOrigin = false;
  try {
    sameOrigin = host !== undefined && new URL(origin).host === host;
  } catch {
    sameOrigin = false;
  }
  if (!sameOrigin) throw new ApiProblem('FORBIDDEN', 'cross-site request refused: foreign Origin');
}

/** Whether the browser reached us over HTTPS (directly, or through a load balancer or IAP). */
const isHttps = (req: Request): boolean =>
  req.protocol === 'https' ||
  (req.get('x-forwarded-proto') ?? '').split(',')[0]?.trim() === 'https';

function idempotencyKeyOf(req: Request): string | undefined {
  const raw = req.get('idempotency-key');
  return raw === undefined ? undefined : parse(IdempotencyKey, raw, 'Idempotency-Key header');
}

function problemOf(refusal: HandoffRefusal | Rejection): ApiProblem {
  switch (refusal.code) {
    case 'NOT_FOUND':
    case 'FORBIDDEN':
    case 'CONFLICT':
      return new ApiProblem(refusal.code, refusal.message);
    default:
      return new ApiProblem('CONFLICT', refusal.message);
  }
}

function fail(res: Response, error: unknown, log: Logger, route: string): void {
  let problem: ApiProblem;
  if (error instanceof ApiProblem) {
    problem = error;
  } else if (classifyFailure(error) === 'transient') {
    log.warn('agent API request failed; the caller may retry', {
      event: 'agent_api_unavailable',
      route,
      error,
    });
    problem = new ApiProblem('UNAVAILABLE', 'temporarily unavailable, retry shortly', {
      'Retry-After': '2',
    });
  } else {
    log.error('agent API request failed', { event: 'agent_api_failed', route, error });
    problem = new ApiProblem('INTERNAL', 'internal error');
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const [name, value] of Object.entries(problem.headers)) res.set(name, value);
  res.status(ERROR_STATUS[problem.code]).json({
    error: { code: problem.code, message: problem.message, ...problem.details },
  });
}
