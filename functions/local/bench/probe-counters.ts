/**
 * What the bench's probe counts in each function process: shared by the probe (which runs inside
 * them, so this module has no imports) and the cost figures that read its reports.
 */
export interface ProbeCounters {
  requests: number;
  /** Most requests in flight at once (push concurrency the function was given). */
  maxInFlight: number;
  /** Sum of the requests' durations, arrival to response closed, in ms. */
  requestMs: number;
  /** Time with at least one request in flight, ms (open busy period included up to now). */
  busyMs: number;
  /** Separate stretches of time with requests in flight. */
  busyPeriods: number;
  /** `busyMs` if each busy period were billed rounded up to a whole 100 ms. */
  busyMsRoundedUp: number;
  /** Bytes and lines written to stdout and stderr (Cloud Logging's input on Cloud Run). */
  logBytes: number;
  logLines: number;
  pubsubPublishRequests: number;
  pubsubPublishMessages: number;
  /** Message volume as Pub/Sub counts it, and the same with its minimum per request. */
  pubsubPublishBytes: number;
  pubsubPublishBillableBytes: number;
  pubsubPushes: number;
  pubsubPushBytes: number;
  pubsubPushBillableBytes: number;
  firestoreReads: number;
  /** Documents written by successful commits, deletes excluded (billed apart). */
  firestoreWrites: number;
  firestoreDeletes: number;
  firestoreCommits: number;
  firestoreFailedCommits: number;
  firestoreQueries: number;
  rpcs: Record<string, number>;
}

/** Counters of a process that has counted nothing yet. */
export function zeroCounters(): ProbeCounters {
  return {
    requests: 0,
    maxInFlight: 0,
    requestMs: 0,
    busyMs: 0,
    busyPeriods: 0,
    busyMsRoundedUp: 0,
    logBytes: 0,
    logLines: 0,
    pubsubPublishRequests: 0,
    pubsubPublishMessages: 0,
    pubsubPublishBytes: 0,
    pubsubPublishBillableBytes: 0,
    pubsubPushes: 0,
    pubsubPushBytes: 0,
    pubsubPushBillableBytes: 0,
    firestoreReads: 0,
    firestoreWrites: 0,
    firestoreDeletes: 0,
    firestoreCommits: 0,
    firestoreFailedCommits: 0,
    firestoreQueries: 0,
    rpcs: {},
  };
}
