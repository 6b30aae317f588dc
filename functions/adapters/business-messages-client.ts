import { businessmessages_v1 } from 'businessmessages';
import { GoogleAuth, type AuthClient } from 'google-auth-library';
import type { GlobalOptions } from 'googleapis-common';
import { ApiErrorBody, type Event, type Message } from '../core/business-messages-api';
import { classifyApiFailure, type SendKind } from '../core/send-policy';
import {
  ApiError,
  type ApiCall,
  type BusinessMessagesApi,
  type CreateMessageOptions,
  type ReceiptType,
  type SendOutcome,
} from '../ports/business-messages';

/**
 * The Business Messages API through Google's generated client (npm `businessmessages`, on
 * googleapis-common), not the whole `googleapis` bundle. One client per instance, built on the
 * first call: a cold start that never sends pays nothing, and credentials are looked up once.
 *
 * The client is told not to retry (gaxios would otherwise retry some answers in-process):
 * Pub/Sub's redelivery with backoff is the only retry, so every attempt is one API call, which
 * is what the per-conversation quota counts.
 */

export const BUSINESS_MESSAGES_SCOPE = 'https://www.googleapis.com/auth/businessmessages';
export const GOOGLE_ROOT_URL = 'https://businessmessages.googleapis.com/';

export interface BusinessMessagesClientOptions {
  /** Origin of the API, ending in `/`: Google's, or the local stand-in's. */
  rootUrl: string;
  /**
   * `adc`: Application Default Credentials with the businessmessages scope (deployed: the
   * function's service account). `none`: no Authorization header (the local stand-in). Or a
   * ready auth client, e.g. one holding a fixed token in tests.
   */
  auth: 'adc' | 'none' | GoogleAuth | AuthClient;
  /** Per call; a call that takes longer counts as no answer (retryable). */
  timeoutMs: number;
  /** For `Retry-After` dates. */
  now?: () => Date;
}

type Client = businessmessages_v1.Businessmessages;

export class BusinessMessagesClient implements BusinessMessagesApi {
  private client: Client | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: BusinessMessagesClientOptions) {
    this.now = options.now ?? (() => new Date());
  }

  createMessage(
    conversationId: string,
    message: Message,
    opts: CreateMessageOptions = {},
  ): Promise<SendOutcome> {
    return this.call('messages.create', 'message', async () => {
      const res = await this.api().conversations.messages.create({
        parent: conversationName(conversationId),
        ...(opts.forceFallback ? { forceFallback: true } : {}),
        requestBody: message,
      });
      return res.data.name;
    });
  }

  createEvent(conversationId: string, eventId: string, event: Event): Promise<SendOutcome> {
    return this.call('events.create', 'event', async () => {
      const res = await this.api().conversations.events.create({
        parent: conversationName(conversationId),
        eventId,
        requestBody: event,
      });
      return res.data.name;
    });
  }

  createSurvey(conversationId: string, surveyId: string): Promise<SendOutcome> {
    return this.call('surveys.create', 'survey', async () => {
      const res = await this.api().conversations.surveys.create({
        parent: conversationName(conversationId),
        surveyId,
        requestBody: {},
      });
      return res.data.name;
    });
  }

  updateReceipt(
    conversationId: string,
    messageId: string,
    receiptType: ReceiptType,
  ): Promise<SendOutcome> {
    return this.call('messages.updateReceipt', 'receipt', async () => {
      const res = await this.api().conversations.messages.updateReceipt({
        name: `${conversationName(conversationId)}/messages/${segment(messageId)}/receipt`,
        requestBody: { receiptType },
      });
      return res.data.name;
    });
  }

  private api(): Client {
    this.client ??= this.build();
    return this.client;
  }

  private build(): Client {
    const { auth, rootUrl, timeoutMs } = this.options;
    const authClient =
      auth === 'adc'
        ? new GoogleAuth({ scopes: [BUSINESS_MESSAGES_SCOPE] })
        : auth === 'none'
          ? undefined
          : auth;
    const options: GlobalOptions = {
      rootUrl,
      retry: false,
      timeout: timeoutMs,
      // Node's own fetch. gaxios would otherwise load node-fetch with a dynamic import() on the
      // first call: a cold-start cost, and impossible inside jest's VM.
      fetchImplementation: (input, init) => fetch(input, init),
      // googleapis-common bundles its own copy of google-auth-library: the same classes at
      // runtime (it calls `request` and `getUniverseDomain`), different ones to the checker.
      ...(authClient ? { auth: authClient as unknown as GlobalOptions['auth'] } : {}),
    };
    return new businessmessages_v1.Businessmessages(options);
  }

  private async call(
    call: ApiCall,
    kind: SendKind,
    run: () => Promise<string | null | undefined>,
  ): Promise<SendOutcome> {
    let name: string | null | undefined;
    try {
      name = await run();
    } catch (error) {
      const failure = describeFailure(error, this.now());
      const verdict = classifyApiFailure(kind, failure);
      if (verdict.disposition === 'already-exists') return { result: 'already-exists' };
      throw new ApiError({
        call,
        status: failure.httpStatus,
        code: verdict.code,
        message: failure.message,
        retryable: verdict.disposition === 'retry',
        ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
        cause: error,
      });
    }
    return { result: 'created', ...(name ? { name } : {}) };
  }
}

/** `conversations/{id}`; the generated client expands it with `{+parent}`, keeping `%XX`. */
const conversationName = (conversationId: string) => `conversations/${segment(conversationId)}`;
const segment = (id: string) => encodeURIComponent(id);

interface Failure {
  httpStatus: number;
  status?: string;
  message: string;
  retryAfterMs?: number;
}

/** Error codes of calls that got no answer: worth another attempt. */
const TIMEOUT_CODES = new Set(['TimeoutError', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * What gaxios (through googleapis-common or google-auth-library, each with its own copy) threw,
 * read by shape: an answer's status and Google's error body, or the reason there was none.
 */
function describeFailure(error: unknown, now: Date): Failure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
    name?: unknown;
    cause?: unknown;
    response?: { status?: unknown; data?: unknown; headers?: unknown };
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const httpStatus = typeof e.response?.status === 'number' ? e.response.status : 0;
  if (httpStatus !== 0) {
    const body = ApiErrorBody.safeParse(parseMaybeJson(e.response?.data));
    const retryAfterMs = parseRetryAfter(header(e.response?.headers, 'retry-after'), now);
    return {
      httpStatus,
      ...(body.success ? { status: body.data.error.status } : {}),
      message: body.success ? body.data.error.message : message,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  const codes = [e.code, e.name, (e.cause as { code?: unknown } | undefined)?.code].filter(
    (c): c is string => typeof c === 'string',
  );
  const timedOut = codes.some((c) => TIMEOUT_CODES.has(c));
  // Anything else without an answer (refused, reset, DNS, no credentials yet) is UNAVAILABLE.
  return { httpStatus: 0, status: timedOut ? 'DEADLINE_EXCEEDED' : 'UNAVAILABLE', message };
}

function parseMaybeJson(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
