import type { Request, Response } from '@google-cloud/functions-framework';
import { classifyFailure } from '../core/failure';
import type { Digest, InboundEvent } from '../core/inbound-event';
import { contentOf, parseInboundEvent } from '../core/inbound-event';
import type { EventBus, OutgoingMessage } from '../ports/event-bus';
import { type Logger, eventLabels } from '../platform/logger';
import { capAttributes, makeQuarantine } from '../platform/quarantine';
import { traceIdFromHeaders } from '../platform/trace';
import type { WebhookConfig } from './config';
import { MALFORMED_JSON, type RequestWithMalformedJson } from '../platform/malformed-json';
import { signatureMatches, tokensEqual } from './signature';

export interface WebhookDeps {
  config: Pick<WebhookConfig, 'BM_PARTNER_KEY' | 'BM_CLIENT_TOKEN' | 'WEBHOOK_MAX_BODY_BYTES'>;
  bus: EventBus;
  log: Logger;
  now: () => Date;
  newTraceId: () => string;
  digest: Digest;
}

/** Attributes on every `inbound` message: routing and log correlation without decoding. */
export interface InboundAttributes extends Record<string, string> {
  brand: string;
  agent: string;
  conversation: string;
  kind: string;
  dedupeKey: string;
  traceId: string;
  receivedAt: string;
}

/**
 * The webhook Google calls. It answers 200 only once the event is durably on the `inbound`
 * topic (or, if authentic but unusable, in quarantine); anything else it answers with a status
 * that makes Google retry (503) or that says the caller is not Google (401/403). An event that
 * `inbound` refuses for good (Pub/Sub's INVALID_ARGUMENT) is quarantined too: Google would
 * otherwise redeliver it for days, each time refused again.
 */
export function makeWebhookHandler(deps: WebhookDeps) {
  const { config, bus, now } = deps;
  const keys = [config.BM_PARTNER_KEY, config.BM_CLIENT_TOKEN];
  // WARNING, not ERROR: Google's test payloads are expected to land here.
  const quarantine = makeQuarantine({
    bus,
    log: deps.log,
    source: 'webhook',
    severity: 'WARNING',
    message: 'authentic event quarantined',
  });

  return async (req: Request, res: Response): Promise<void> => {
    const traceId = traceIdFromHeaders(req.headers) ?? deps.newTraceId();
    const log = deps.log.with({ traceId });
    const reject = (status: number, reason: string, extra: Record<string, string> = {}) => {
      log.warn(`webhook rejected: ${reason}`, { event: 'webhook_rejected', status, reason });
      for (const [name, value] of Object.entries(extra)) res.set(name, value);
      res.status(status).json({ error: { code: status, message: reason } });
    };

    if (req.method !== 'POST') return reject(405, 'only POST is accepted', { Allow: 'POST' });
    const declaredLength = Number(req.headers['content-length'] ?? 0);
    const raw: Buffer = req.rawBody ?? Buffer.alloc(0);
    if (
      declaredLength > config.WEBHOOK_MAX_BODY_BYTES ||
      raw.length > config.WEBHOOK_MAX_BODY_BYTES
    ) {
      return reject(413, `body exceeds ${config.WEBHOOK_MAX_BODY_BYTES} bytes`);
    }
    if (!req.is('application/json')) return reject(415, 'content type must be application/json');

    const malformed = (req as RequestWithMalformedJson)[MALFORMED_JSON];
    const body: unknown = malformed === undefined ? req.body : undefined;

    if (isHandshake(body)) {
      if (!tokensEqual(body.clientToken, config.BM_CLIENT_TOKEN)) {
        return reject(403, 'client token does not match');
      }
      log.info('webhook registration handshake answered', { event: 'webhook_verified' });
      res.status(200).type('text/plain').send(body.secret);
      return;
    }

    if (!signatureMatches(raw, req.get('x-goog-signature'), keys)) {
      return reject(
        401,
        req.get('x-goog-signature') ? 'signature does not match' : 'signature missing',
      );
    }

    const receivedAt = now().toISOString();
    const meta = { traceId, receivedAt };
    // The parser's message quotes the body: only its fixed reason goes into attributes and
    // logs; the message is logged as content (only when content logging is on).
    const parsed =
      malformed !== undefined
        ? ({ ok: false, reason: malformed.reason } as const)
        : parseInboundEvent(body, deps.digest);

    try {
      if (!parsed.ok) {
        await quarantine(raw, parsed.reason, {
          attributes: quarantineAttributes(body, meta),
          ...(malformed !== undefined ? { detail: malformed.detail } : {}),
        });
        res.status(200).json({ status: 'quarantined' });
        return;
      }
      try {
        await publish(parsed.event, raw, meta);
      } catch (error) {
        if (classifyFailure(error) !== 'permanent') throw error;
        await quarantine(raw, 'refused by the inbound topic', {
          attributes: quarantineAttributes(body, meta),
          error,
        });
        res.status(200).json({ status: 'quarantined' });
        return;
      }
      res.status(200).json({ status: 'accepted' });
    } catch (error) {
      log.error('event not accepted; asking Google to redeliver', {
        event: 'webhook_unavailable',
        error,
      });
      res
        .set('Retry-After', '10')
        .status(503)
        .json({ error: { code: 503, message: 'temporarily unavailable' } });
    }
  };

  async function publish(
    event: InboundEvent,
    raw: Buffer,
    meta: { traceId: string; receivedAt: string },
  ) {
    const id = await bus.publish('inbound', inboundMessage(event, raw, meta));
    deps.log
      .with({
        traceId: meta.traceId,
        labels: eventLabels(event),
      })
      .info(`accepted ${event.kind} event`, {
        event: 'event_accepted',
        kind: event.kind,
        busMessageId: id,
        content: contentOf(event),
      });
  }
}

/**
 * The `inbound` message of an accepted event; also what the operator toolkit's quarantine replay
 * publishes, so a replayed event is indistinguishable from one the webhook accepted.
 */
export function inboundMessage(
  event: InboundEvent,
  raw: Uint8Array,
  meta: { traceId: string; receivedAt: string },
): OutgoingMessage {
  // Within Pub/Sub's limits by the schema's byte limits; capped all the same, as every
  // attribute any function publishes is.
  const attributes: InboundAttributes = {
    brand: event.brandId,
    agent: event.agent,
    conversation: event.conversationId,
    kind: event.kind,
    dedupeKey: event.dedupeKey,
    traceId: meta.traceId,
    receivedAt: meta.receivedAt,
  };
  // The bytes Google signed travel as they came: every later function parses the same input.
  return { data: raw, attributes: capAttributes(attributes), orderingKey: event.conversationId };
}

/** What a quarantined body carries beside its reason: when, its trace, and what it names. */
function quarantineAttributes(
  body: unknown,
  meta: { traceId: string; receivedAt: string },
): Record<string, string> {
  const ids = bestEffortIds(body);
  return {
    traceId: meta.traceId,
    receivedAt: meta.receivedAt,
    ...(ids.conversationId ? { conversation: ids.conversationId } : {}),
    ...(ids.agent ? { agent: ids.agent } : {}),
  };
}

function isHandshake(body: unknown): body is { clientToken: string; secret: string } {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    typeof b.clientToken === 'string' &&
    typeof b.secret === 'string' &&
    b.conversationId === undefined
  );
}

function bestEffortIds(body: unknown): { conversationId?: string; agent?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  return {
    ...(typeof b.conversationId === 'string' ? { conversationId: b.conversationId } : {}),
    ...(typeof b.agent === 'string' ? { agent: b.agent } : {}),
  };
}
