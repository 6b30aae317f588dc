import { randomFillSync, randomUUID } from 'node:crypto';
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
