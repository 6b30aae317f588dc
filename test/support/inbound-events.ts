import { parseInboundEvent, type InboundEvent } from '../../functions/core/inbound-event';
import { sha256Digest } from '../../functions/platform/digest';
import { fixtures, type FixtureName } from '../fixtures/webhook-events';

export type WebhookBody = Record<string, unknown>;

export interface BodyOptions {
  conversationId?: string;
  /** A request ID of its own (null: none, as Google sends receipts). */
  requestId?: string | null;
  /** Merged into the body; objects one level deep (`{message: {text}}` keeps the rest of `message`). */
  patch?: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A fixture's webhook body, varied for a test: another conversation, request ID, payload. */
export function webhookBody(name: FixtureName, options: BodyOptions = {}): WebhookBody {
  const body = structuredClone(fixtures[name]) as WebhookBody;
  if (options.conversationId !== undefined) body.conversationId = options.conversationId;
  if (options.requestId === null) delete body.requestId;
  else if (options.requestId !== undefined) body.requestId = options.requestId;
  for (const [key, value] of Object.entries(options.patch ?? {})) {
    const base = body[key];
    if (value === undefined) delete body[key];
    else body[key] = isObject(base) && isObject(value) ? { ...base, ...value } : value;
  }
  return body;
}

/** The `InboundEvent` the webhook would publish for `body`. */
export function inboundEvent(body: WebhookBody): InboundEvent {
  const parsed = parseInboundEvent(body, sha256Digest);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

/** `inboundEvent(webhookBody(name, options))`. */
export const eventOf = (name: FixtureName, options: BodyOptions = {}): InboundEvent =>
  inboundEvent(webhookBody(name, options));
