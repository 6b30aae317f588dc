import type { Request, Response } from '@google-cloud/functions-framework';
import { classifyFailure } from '../core/failure';
import type { Digest, InboundEvent } from '../core/inbound-event';
import { contentOf, parseInboundEvent } from '../core/inbound-event';
import type { EventBus, OutgoingMessage } from '../ports/event-bus';
import { type Logger, eventLabels } from '../platform/logger';
import { byteCap, makeQuarantine } from '../platform/quarantine';
import { isoTimestamp } from '../platform/iso-time';
import { traceIdFromHeaders } from '../platform/trace';
import { outsideRequestDomain } from '../platform/entry';
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

  /**
   * Not an `async` function, on purpose: functions-framework runs each request in a `node:domain`,
   * which makes every promise created during it several times dearer (domain tracking on each
   * promise and each reaction). An accepted event makes two of its own, the publish's and one
   * reaction to it, and makes them outside the domain, handing a failure to the domain's error
   * handler instead of returning a promise for the framework to catch (`outsideRequestDomain`).
   * The rare outcomes (quarantine, 503) are ordinary async functions.
   */
  return (req: Request, res: Response): Promise<void> | undefined => {
    const traceId = traceIdFromHeaders(req.headers) ?? deps.newTraceId();
    const log = deps.log.with({ traceId });
    const reject = (status: number, reason: string, extra: Record<string, string> = {}) => {
      log.warn(`webhook rejected: ${reason}`, { event: 'webhook_rejected', status, reason });
      for (const [name, value] of Object.entries(extra)) res.set(name, value);
      res.status(status).json({ error: { code: status, message: reason } });
      return undefined;
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
    if (!isJson(req)) return reject(415, 'content type must be application/json');

    const malformed = (req as RequestWithMalformedJson)[MALFORMED_JSON];
    const body: unknown = malformed === undefined ? req.body : undefined;

    if (isHandshake(body)) {
      if (!tokensEqual(body.clientToken, config.BM_CLIENT_TOKEN)) {
        return reject(403, 'client token does not match');
      }
      log.info('webhook registration handshake answered', { event: 'webhook_verified' });
      res.status(200).type('text/plain').send(body.secret);
      return undefined;
    }

    // The header as Node keeps it (what Express's `req.get` returns, without its lower-casing
    // and `Referer` special case on every request); only `Set-Cookie` is ever an array.
    const header = req.headers['x-goog-signature'];
    const signature = typeof header === 'string' ? header : undefined;
    if (!signatureMatches(raw, signature, keys)) {
      return reject(401, signature ? 'signature does not match' : 'signature missing');
    }

    const receivedAt = isoTimestamp(now());
    const meta = { traceId, receivedAt };
    // Validation works on the body functions-framework already parsed: the bytes are parsed
    // once, and what is published is those bytes, never a re-serialisation.
    // The parser's message quotes the body: only its fixed reason goes into attributes and
    // logs; the message is logged as content (only when content logging is on).
    const parsed =
      malformed !== undefined
        ? ({ ok: false, reason: malformed.reason } as const)
        : parseInboundEvent(body, deps.digest);
    const outcome: Outcome = { res, log, raw, body, meta };

    if (!parsed.ok) {
      return quarantined(outcome, parsed.reason, {
        ...(malformed !== undefined ? { detail: malformed.detail } : {}),
      });
    }
    const { event } = parsed;
    return outsideRequestDomain(() =>
      bus.publish('inbound', inboundMessage(event, raw, meta)).then(
        (id) => {
          log.with({ labels: eventLabels(event) }).info(`accepted ${event.kind} event`, {
            event: 'event_accepted',
            kind: event.kind,
            busMessageId: id,
            content: contentOf(event),
          });
          answerJson(res, 200, ACCEPTED);
        },
        (error: unknown) =>
          classifyFailure(error) === 'permanent'
            ? quarantined(outcome, 'refused by the inbound topic', { error })
            : unavailable(outcome, error),
      ),
    );
  };

  /** Quarantines an authentic event and answers 200, or 503 if even that fails. */
  async function quarantined(
    outcome: Outcome,
    reason: string,
    details: { detail?: string; error?: unknown },
  ): Promise<void> {
    try {
      await quarantine(outcome.raw, reason, {
        attributes: quarantineAttributes(outcome.body, outcome.meta),
        ...details,
      });
    } catch (error) {
      unavailable(outcome, error);
      return;
    }
    answerJson(outcome.res, 200, QUARANTINED);
  }

  /** Asks Google to deliver the event again later. */
  function unavailable(outcome: Outcome, error: unknown): void {
    outcome.log.error('event not accepted; asking Google to redeliver', {
      event: 'webhook_unavailable',
      error,
    });
    outcome.res
      .set('Retry-After', '10')
      .status(503)
      .json({ error: { code: 503, message: 'temporarily unavailable' } });
  }
}

/** One request's context, for the outcomes that are not a plain accept. */
interface Outcome {
  res: Response;
  log: Logger;
  raw: Buffer;
  body: unknown;
  meta: { traceId: string; receivedAt: string };
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
  // attribute any function publishes is. Value by value (`byteCap` returns a value that is short
  // enough as it is) rather than `capAttributes`, which rebuilds the object through entries
  // arrays on every accepted event.
  const attributes: InboundAttributes = {
    brand: byteCap(event.brandId),
    agent: byteCap(event.agent),
    conversation: byteCap(event.conversationId),
    kind: byteCap(event.kind),
    dedupeKey: byteCap(event.dedupeKey),
    traceId: byteCap(meta.traceId),
    receivedAt: byteCap(meta.receivedAt),
  };
  // The bytes Google signed travel as they came: every later function parses the same input.
  return { data: raw, attributes, orderingKey: event.conversationId };
}

/**
 * The 200 answers, serialised once. They are written without Express's `res.json`, which would
 * serialise the same object again on every request and hash it for an ETag that no POST needs.
 */
const ACCEPTED = JSON.stringify({ status: 'accepted' });
const QUARANTINED = JSON.stringify({ status: 'quarantined' });

function answerJson(res: Response, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
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

/**
 * `req.is('application/json')`, answered at once for a plain `application/json` header (no
 * parameters), which type-is would parse, normalise and match, when a body was read (`rawBody`:
 * body-parser reads one only from a request type-is says has a body). Any other header is left to
 * `req.is`, whose parsing showed as 4-17 % of the handler's own time in profiles under load.
 */
function isJson(req: Request): boolean {
  if (req.rawBody !== undefined && req.headers['content-type'] === 'application/json') return true;
  return Boolean(req.is('application/json'));
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
