import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigError } from './config';

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
      process.stdout.write(
        JSON.stringify({
          severity: 'CRITICAL',
          message: `${component}: ${error.message}`,
          event: 'config_invalid',
          problems: error.problems,
          'logging.googleapis.com/labels': { component },
        }) + '\n',
      );
    }
    throw error;
  }
}

/** A fresh W3C/Cloud Trace ID for events that arrive without one. */
export const newTraceId = (): string => randomBytes(16).toString('hex');

/**
 * A fresh unique ID (a UUID: 36 of `[A-Za-z0-9-]`, so it fits the Business Messages API's IDs),
 * for what has no idempotency key of its own to derive one from.
 */
export const newId = (): string => randomUUID();
