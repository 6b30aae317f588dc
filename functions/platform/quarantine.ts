import { MAX_ATTRIBUTE_BYTES, capAttributeValues, truncateUtf8 } from '../core/utf8';
import type { EventBus } from '../ports/event-bus';
import type { LogFields, Logger } from './logger';
import { parsePubSubCloudEvent, type ReceivedPubSubMessage } from './pubsub-cloud-event';
import { isTraceId } from './trace';

/**
 * What every function does with input it can never process: publish the raw bytes to
 * `quarantine` with the reason, log `event_quarantined`, and let the caller acknowledge. One
 * implementation, so every quarantine has the same shape, fits Pub/Sub's limits, and keeps
 * customer content out of reasons and logs.
 */

export { MAX_ATTRIBUTE_BYTES };

/**
 * `value` cut to at most `maxBytes` of UTF-8, never inside a character. Pub/Sub refuses an
 * attribute value over 1024 bytes (not characters) for good, so every attribute a function
 * publishes goes through this (or `capAttributes`).
 */
export function byteCap(value: string, maxBytes: number = MAX_ATTRIBUTE_BYTES): string {
  return truncateUtf8(value, maxBytes);
}

/** Every value of `attributes` cut by `byteCap` to Pub/Sub's 1024 bytes. */
export function capAttributes(
  attributes: Readonly<Record<string, string>>,
): Record<string, string> {
  return capAttributeValues(attributes, MAX_ATTRIBUTE_BYTES);
}

/** `value` as JSON text, whatever it is (a CloudEvent that is not one may not be JSON-able). */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON that does not parse

/** Why a body is not JSON. */
export interface JsonFailure {
  /**
   * Fixed text naming the error and, when the parser gives it, the position: safe for
   * attributes and logs. (The parser's message is not: V8 quotes the input in it.)
   */
  reason: string;
  /** The parser's own message, which may quote the body: only for a log's `content`. */
  detail: string;
}

export function jsonFailure(error: unknown): JsonFailure {
  const detail = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error && /^\w{1,64}$/.test(error.name) ? error.name : 'Error';
  const position = / at position (\d+)/.exec(detail)?.[1];
  return {
    reason: `invalid JSON (${name}${position === undefined ? '' : ` at position ${position}`})`,
    detail,
  };
}

export type JsonParseResult = { ok: true; value: unknown } | ({ ok: false } & JsonFailure);

/** UTF-8 bytes parsed as JSON, or why not (without quoting them). */
export function parseJson(data: Uint8Array): JsonParseResult {
  try {
    const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, ...jsonFailure(error) };
  }
}

// ---------------------------------------------------------------------------------------------
// Quarantine

export interface QuarantineOptions {
  bus: EventBus;
  /** The function's logger; a call may pass one carrying its event's labels instead. */
  log: Logger;
  /** The `source` attribute: which function quarantined it. */
  source: string;
  /** The log line's text. */
  message?: string;
  /**
   * ERROR by default: something upstream is broken. The webhook says WARNING, because Google's
   * test payloads are expected to land there.
   */
  severity?: 'WARNING' | 'ERROR';
}

export interface QuarantineDetails {
  /** Attributes beside `reason` and `source`, e.g. those the message arrived with. */
  attributes?: Record<string, string>;
  /** A logger with the event's labels and trace; else one from `attributes.traceId/conversation`. */
  log?: Logger;
  /** More about the reason that may quote content (a parser's message): logged as content only. */
  detail?: string;
  /** The failure itself, logged as `error`; its message must not quote content either. */
  error?: unknown;
}

/**
 * Publishes `raw` to `quarantine` with `reason` (fixed, content-free text: it is an attribute
 * and is logged) and logs `event_quarantined`. Rejects when the publish fails, so the caller
 * answers or throws for a retry instead of losing the input.
 */
export type Quarantine = (
  raw: Uint8Array,
  reason: string,
  details?: QuarantineDetails,
) => Promise<void>;

export function makeQuarantine(options: QuarantineOptions): Quarantine {
  const { bus, source } = options;
  const message = options.message ?? 'event quarantined: it can never be processed';
  return async (raw, reason, details = {}) => {
    const attributes = details.attributes ?? {};
    await bus.publish('quarantine', {
      data: raw,
      attributes: capAttributes({ ...attributes, reason, source }),
    });
    const log = details.log ?? loggerFor(options.log, attributes);
    const fields: LogFields = {
      event: 'event_quarantined',
      reason,
      bytes: raw.length,
      ...(attributes.pubsubMessageId ? { pubsubMessageId: attributes.pubsubMessageId } : {}),
      ...(details.error !== undefined ? { error: details.error } : {}),
      ...(details.detail !== undefined ? { content: { detail: details.detail } } : {}),
    };
    if (options.severity === 'WARNING') log.warn(message, fields);
    else log.error(message, fields);
  };
}

/** The logger of a message known only by its attributes: its trace and conversation. */
function loggerFor(log: Logger, attributes: Record<string, string>): Logger {
  const { traceId, conversation } = attributes;
  return log.with({
    ...(isTraceId(traceId) ? { traceId } : {}),
    labels: conversation ? { conversationId: conversation } : {},
  });
}

// ---------------------------------------------------------------------------------------------
// Event functions' input

export type ReceivedJson =
  | {
      ok: true;
      message: ReceivedPubSubMessage;
      /** The message's data, parsed. */
      json: unknown;
      /** The message's attributes and `pubsubMessageId`: what a later quarantine carries. */
      attributes: Record<string, string>;
    }
  | { ok: false; reason: string };

/**
 * The Pub/Sub message inside an event function's CloudEvent, its data parsed as JSON. What is
 * not such a message (kept as the CloudEvent's JSON) or whose data is not JSON (kept as the raw
 * bytes) is quarantined and its reason returned, for the caller to acknowledge.
 */
export async function receiveJson(
  cloudEvent: unknown,
  quarantine: Quarantine,
): Promise<ReceivedJson> {
  const received = parsePubSubCloudEvent(cloudEvent);
  if (!received.ok) {
    await quarantine(Buffer.from(safeJson(cloudEvent), 'utf8'), received.reason);
    return { ok: false, reason: received.reason };
  }
  const { message } = received;
  const attributes = { ...message.attributes, pubsubMessageId: message.messageId };
  const parsed = parseJson(message.data);
  if (!parsed.ok) {
    await quarantine(message.data, parsed.reason, { attributes, detail: parsed.detail });
    return { ok: false, reason: parsed.reason };
  }
  return { ok: true, message, json: parsed.value, attributes };
}
