import type { Event, Message } from '../core/business-messages-api';

/**
 * The four calls the sender makes to the Business Messages API. Production: Google's generated
 * client over HTTPS (functions/adapters/business-messages-client.ts); locally and in tests the
 * same client against the stand-in (functions/local/bm-api-standin).
 *
 * Every call is idempotent on an ID the caller fixed before the first attempt: an answer of
 * ALREADY_EXISTS means an earlier attempt landed, and comes back as an outcome, not an error.
 * Every other failure is thrown as an `ApiError`.
 */

export type ApiCall =
  'messages.create' | 'events.create' | 'surveys.create' | 'messages.updateReceipt';

export interface SendOutcome {
  /** `created`: accepted by this call; `already-exists`: an earlier call with the same ID was. */
  result: 'created' | 'already-exists';
  /** The resource name Google answered with (`conversations/C/messages/M`), when it did. */
  name?: string;
}

export interface CreateMessageOptions {
  /** Send only the fallback text (Google allows it only for agents not yet launched). */
  forceFallback?: boolean;
}

export type ReceiptType = 'READ';

export interface BusinessMessagesApi {
  /** `conversations.messages.create`; `message.messageId` is the idempotency key. */
  createMessage(
    conversationId: string,
    message: Message,
    opts?: CreateMessageOptions,
  ): Promise<SendOutcome>;
  /** `conversations.events.create` with `?eventId=`. */
  createEvent(conversationId: string, eventId: string, event: Event): Promise<SendOutcome>;
  /** `conversations.surveys.create` with `?surveyId=`. */
  createSurvey(conversationId: string, surveyId: string): Promise<SendOutcome>;
  /** `conversations.messages.updateReceipt`: marks the customer's message `messageId` read. */
  updateReceipt(
    conversationId: string,
    messageId: string,
    receiptType: ReceiptType,
  ): Promise<SendOutcome>;
}

export interface ApiErrorDetails {
  call: ApiCall;
  /** HTTP status; 0 when no answer arrived (refused, reset, timed out). */
  status: number;
  /** Google's canonical status, e.g. `PERMISSION_DENIED`, `UNAVAILABLE`, `DEADLINE_EXCEEDED`. */
  code: string;
  message: string;
  /** Whether a later attempt of the same call may succeed (functions/core/send-policy.ts). */
  retryable: boolean;
  /** From a `Retry-After` answer header, when there was one. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A call the API did not accept, or that got no answer. */
export class ApiError extends Error {
  readonly call: ApiCall;
  readonly status: number;
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** Google's own text (`message` also names the call and the status). */
  readonly apiMessage: string;

  constructor(details: ApiErrorDetails) {
    const answer = details.status === 0 ? 'no answer' : `HTTP ${details.status}`;
    super(`${details.call}: ${details.code} (${answer}): ${details.message}`, {
      cause: details.cause,
    });
    this.name = 'ApiError';
    this.apiMessage = details.message;
    this.call = details.call;
    this.status = details.status;
    this.code = details.code;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
  }
}
