/**
 * Trace IDs tie one customer event's log lines together across every function: the webhook
 * takes it from Google's front end (`X-Cloud-Trace-Context` or W3C `traceparent`) and every
 * Pub/Sub hop carries it as the `traceId` attribute.
 */
const HEX32 = /^[0-9a-f]{32}$/;

export function traceIdFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const cloud = first(headers['x-cloud-trace-context']);
  if (cloud) {
    const id = cloud.split('/')[0]?.toLowerCase();
    if (id && HEX32.test(id)) return id;
  }
  const parent = first(headers.traceparent);
  if (parent) {
    const id = parent.split('-')[1]?.toLowerCase();
    if (id && HEX32.test(id) && id !== '0'.repeat(32)) return id;
  }
  return undefined;
}

export const isTraceId = (value: string | undefined): value is string =>
  value !== undefined && HEX32.test(value);

/** The LogEntry trace field Cloud Logging nests entries under. */
export const traceResource = (project: string, traceId: string) =>
  `projects/${project}/traces/${traceId}`;

/**
 * The trace a function logs an event under: the webhook's (the `traceId` attribute), else one
 * derived from the event's dedupe key, so every redelivery of it shares one trace.
 */
export const traceOfEvent = (
  attribute: string | undefined,
  dedupeKey: string,
  digest: (text: string) => string,
): string => (isTraceId(attribute) ? attribute : digest(`trace:${dedupeKey}`));
