import type { OutboundCommand } from './outbound-command';

/**
 * The sender's decisions, free of I/O: whether a send may still be made (Google's 30-day
 * window), what an API failure means (done, retry later, or never), and whether the per-
 * conversation quota lets a call go now, after a short wait, or only on a later delivery.
 * Sources: Google's send guide, high-volume guide and REST reference.
 */

export type SendKind = OutboundCommand['type'];

// ---------------------------------------------------------------------------------------------
// The 30-day window

/** "You can send messages to a user up to 30 days after the user's last message." */
export const SEND_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

export type WindowDecision = { open: true } | { open: false; reason: string };

/**
 * Open when the customer wrote at most 30 days ago (exactly 30 days still counts) or when the
 * last customer message is unknown: a send Google then refuses fails permanently and visibly,
 * which is better than silently dropping a send we cannot prove is late. Applied to every kind
 * of call, since all of them are sends into the customer's conversation.
 */
export function checkSendWindow(lastUserMessageAt: Date | undefined, now: Date): WindowDecision {
  if (lastUserMessageAt === undefined) return { open: true };
  if (now.getTime() - lastUserMessageAt.getTime() <= SEND_WINDOW_MS) return { open: true };
  return {
    open: false,
    reason: `the customer last wrote at ${lastUserMessageAt.toISOString()}, more than 30 days before ${now.toISOString()}`,
  };
}

/**
 * The window decided from the time a command carries (`lastUserMessageAt`), when that alone can
 * settle it; undefined when only the stored conversation can. The stored time only moves later
 * (or goes with an erased conversation, which leaves the window open), so a carried time inside
 * the window means the stored one is too: the same answer `checkSendWindow` gives on the stored
 * time, without reading it. A carried time outside the window may be stale (the customer may
 * have written since), so it settles nothing.
 */
export function checkCarriedSendWindow(
  lastUserMessageAt: string | undefined,
  now: Date,
): WindowDecision | undefined {
  if (lastUserMessageAt === undefined) return undefined;
  const carried = new Date(lastUserMessageAt);
  const decision = checkSendWindow(carried, now);
  return decision.open ? decision : undefined;
}

// ---------------------------------------------------------------------------------------------
// API failures

/** Google's canonical status for each HTTP code, for answers that carry no `status` field. */
const STATUS_BY_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** What the API (or the network) answered, as the adapter saw it. */
export interface ApiFailure {
  /** The HTTP status; 0 when no answer arrived (connection refused, reset, timed out). */
  httpStatus: number;
  /** Google's `error.status` (e.g. `FAILED_PRECONDITION`), when the body carried one. */
  status?: string;
}

export type FailureClass =
  /** The ID was used before: an earlier attempt landed, so this send is done. */
  | { disposition: 'already-exists'; code: 'ALREADY_EXISTS' }
  /** Worth another delivery: Pub/Sub redelivers with backoff. */
  | { disposition: 'retry'; code: string }
  /** Will fail the same way every time: record FAILED and acknowledge. */
  | { disposition: 'permanent'; code: string };

/** Statuses a later attempt may get past. UNAUTHENTICATED is our credentials, not the message. */
const RETRYABLE = new Set([
  'UNAVAILABLE',
  'INTERNAL',
  'DEADLINE_EXCEEDED',
  'ABORTED',
  'UNKNOWN',
  'CANCELLED',
  'DATA_LOSS',
  'UNAUTHENTICATED',
]);

/** Statuses no retry changes. */
const PERMANENT = new Set([
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
]);

/** The canonical status of an answer: Google's own when given, else the HTTP code's. */
export function canonicalStatus(failure: ApiFailure): string {
  if (failure.status) return failure.status;
  if (failure.httpStatus === 0) return 'UNAVAILABLE';
  return STATUS_BY_HTTP[failure.httpStatus] ?? `HTTP_${failure.httpStatus}`;
}

/**
 * What a failed call means for the send. RESOURCE_EXHAUSTED is the 60-per-minute quota for
 * messages and events (retry), but for a survey it means one was already sent in the last
 * 24 hours: no retry within Pub/Sub's retry window can succeed, so it is permanent.
 */
export function classifyApiFailure(kind: SendKind, failure: ApiFailure): FailureClass {
  const code = canonicalStatus(failure);
  if (code === 'ALREADY_EXISTS') return { disposition: 'already-exists', code };
  if (code === 'RESOURCE_EXHAUSTED') {
    return { disposition: kind === 'survey' ? 'permanent' : 'retry', code };
  }
  if (RETRYABLE.has(code)) return { disposition: 'retry', code };
  if (PERMANENT.has(code)) return { disposition: 'permanent', code };
  // A status this table does not know: fall back on the HTTP class. No answer at all, 5xx and
  // 408/429 are worth another try; any other 4xx says the request itself is wrong.
  const http = failure.httpStatus;
  const retry = http === 0 || http >= 500 || http === 408 || http === 429;
  return { disposition: retry ? 'retry' : 'permanent', code };
}

// ---------------------------------------------------------------------------------------------
// The per-conversation quota

/**
 * Google's quota is "60 messages per minute per conversation". Events are counted too: the
 * documents do not say whether they share the quota, and counting them costs at most a short
 * wait. Surveys (one per 24 h anyway) and read receipts are not counted.
 */
export const countsTowardQuota = (kind: SendKind): boolean =>
  kind === 'message' || kind === 'event';

export interface RateLimit {
  /** Calls allowed in any window of `windowMs`. */
  limit: number;
  windowMs: number;
}

export const CONVERSATION_QUOTA: RateLimit = { limit: 60, windowMs: 60_000 };

export type QuotaDecision =
  /** Go now. */
  | { action: 'send' }
  /** A slot frees in `waitMs`, which is short enough to wait for in this delivery. */
  | { action: 'wait'; waitMs: number }
  /** A slot frees only in `retryAfterMs`: fail this delivery and let Pub/Sub bring it back. */
  | { action: 'defer'; retryAfterMs: number };

/**
 * Sliding window: a call at time `t` occupies a slot during `[t, t + windowMs)`, so no window
 * of `windowMs` ever holds more than `limit` calls. `sentAt` are the earlier calls' times (ms),
 * in any order; `maxWaitMs` is the longest this delivery may wait.
 */
export function decideQuota(
  sentAt: readonly number[],
  nowMs: number,
  rate: RateLimit,
  maxWaitMs: number,
): QuotaDecision {
  const inWindow = sentAt.filter((t) => t > nowMs - rate.windowMs).sort((a, b) => a - b);
  if (inWindow.length < rate.limit) return { action: 'send' };
  // The call that must leave the window before this one fits.
  const blocking = inWindow[inWindow.length - rate.limit] ?? nowMs;
  const waitMs = Math.max(1, blocking + rate.windowMs - nowMs);
  return waitMs <= maxWaitMs
    ? { action: 'wait', waitMs }
    : { action: 'defer', retryAfterMs: waitMs };
}
