import { randomFillSync, randomUUID } from 'node:crypto';
import type { Domain } from 'node:domain';
import { ConfigError } from './config';
import { writeStdoutLine } from './logger';

/**
 * Runs a function's wiring at cold start. A configuration error is written as one CRITICAL
 * JSON line naming every bad variable, then rethrown so the instance fails to start: a
 * broken deploy is visible at once instead of on the first customer.
 */
export function bootstrap<T>(component: string, wire: () => T): T {
  try {
    return wire();
  } catch (error) {
    if (error instanceof ConfigError) {
      // Through the logger's writer: the throw below ends the process, and this line must
      // reach stdout whole all the same.
      writeStdoutLine(
        JSON.stringify({
          severity: 'CRITICAL',
          message: `${component}: ${error.message}`,
          event: 'config_invalid',
          problems: error.problems,
          'logging.googleapis.com/labels': { component },
        }),
      );
    }
    throw error;
  }
}

const TRACE_POOL = Buffer.alloc(16 * 256);
const INVALID_TRACE_ID = '0'.repeat(32);
let traceOffset = TRACE_POOL.length;

/**
 * A fresh W3C/Cloud Trace ID for events that arrive without one. Every webhook request without
 * a trace header needs one, and a call into the system's random source per ID costs more than
 * the rest of the ID's work; so IDs are cut from a pool of random bytes refilled 256 IDs at a
 * time (as `randomUUID` does with its own cache). Never all zeros, which W3C calls invalid.
 */
export function newTraceId(): string {
  for (;;) {
    if (traceOffset === TRACE_POOL.length) {
      randomFillSync(TRACE_POOL);
      traceOffset = 0;
    }
    const id = TRACE_POOL.toString('hex', traceOffset, traceOffset + 16);
    traceOffset += 16;
    if (id !== INVALID_TRACE_ID) return id;
  }
}

/**
 * A fresh unique ID (a UUID: 36 of `[A-Za-z0-9-]`, so it fits the Business Messages API's IDs),
 * for what has no idempotency key of its own to derive one from.
 */
export const newId = (): string => randomUUID();

/**
 * Runs a request's promise work outside the `node:domain` functions-framework runs the request
 * in, and hands a failure of it to that domain's error handler.
 *
 * While a domain is active, Node's domain module tracks every async resource created: each
 * promise gets a `domain` property and a destroy hook, and each reaction enters and leaves the
 * domain, which resets the process's uncaught-exception capture twice. Measured on the webhook,
 * the publish, the reaction that answers it and the `catch` the framework puts on a returned
 * promise were one of the dearest parts of an accepted event. So `work` runs with the domain
 * exited, and what it returns is not given back: its rejection goes to the domain's `error`
 * event, which is where the framework handles a request's failures (the same handler it puts on a
 * returned promise, answering 500 `X-Google-Status: crash` if nothing was answered yet).
 * test/webhook/webhook-http.test.ts fails if a framework upgrade changes that.
 *
 * Outside a domain (a direct call, another host), `work`'s promise is returned, for the caller.
 */
export function outsideRequestDomain(work: () => Promise<void>): Promise<void> | undefined {
  const domain = (process as { domain?: Domain | null }).domain;
  if (!domain) return work();
  domain.exit();
  try {
    work().catch((error: unknown) => domain.emit('error', error));
  } finally {
    domain.enter();
  }
  return undefined;
}

/**
 * Runs an event function's work outside the `node:domain` functions-framework runs the request
 * in, and returns its promise for the framework to await: the framework answers 204 once it
 * resolves and 500 if it rejects (Pub/Sub then redelivers), exactly as for a promise made inside.
 *
 * Why: while a domain is active, every promise and every reaction made during the request is
 * tracked by the domain module (a destroy hook per promise, the domain entered and left around
 * each reaction). An event function makes dozens of them per message (the SDKs' gRPC calls, our
 * awaits); profiled in the end-to-end bench, that bookkeeping was about 2 ms of CPU per
 * invocation of the sender, nearly a fifth of it. Outside the domain only the framework's own
 * two reactions remain tracked. What the domain would add, routing an exception thrown in a
 * callback of this request to a 500, is not needed: our work reports failures by rejecting, and
 * a process-level crash is a redelivery like any other.
 * test/platform/request-domain.test.ts fails if a framework upgrade changes that.
 *
 * Outside a domain (a direct call, another host), it is `work()`.
 */
export function awaitedOutsideRequestDomain<T>(work: () => Promise<T>): Promise<T> {
  const domain = (process as { domain?: Domain | null }).domain;
  if (!domain) return work();
  domain.exit();
  try {
    return work();
  } finally {
    domain.enter();
  }
}
