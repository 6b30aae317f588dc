import {
  costPerMessage,
  difference,
  emptyCounters,
  type Counters,
} from '../../functions/local/bench/cost';

const counters = (over: Partial<Counters>): Counters => ({ ...emptyCounters(), ...over });

describe('cost per customer message', () => {
  it('counts only what happened between two readings', () => {
    const before = counters({
      requests: 3,
      firestoreWrites: 4,
      requestMs: 30,
      rpcs: { commit: 2 },
    });
    const after = counters({
      requests: 13,
      firestoreWrites: 24,
      requestMs: 230,
      maxInFlight: 2,
      rpcs: { commit: 12, runQuery: 1 },
    });
    expect(difference(after, before)).toMatchObject({
      requests: 10,
      firestoreWrites: 20,
      requestMs: 200,
      maxInFlight: 2,
      rpcs: { commit: 10, runQuery: 1 },
    });
  });

  it('divides every function by the customer messages sent', () => {
    const cost = costPerMessage(
      {
        classifier: counters({
          requests: 10,
          firestoreReads: 20,
          firestoreWrites: 20,
          requestMs: 500,
        }),
        sender: counters({
          requests: 32,
          firestoreReads: 64,
          firestoreWrites: 32,
          rpcs: { commit: 32 },
        }),
        agentApi: counters({}),
      },
      10,
    );
    expect(cost.invocations).toBeCloseTo(4.2);
    expect(cost.firestoreReads).toBeCloseTo(8.4);
    expect(cost.firestoreWrites).toBeCloseTo(5.2);
    expect(cost.rpcs).toEqual({ commit: 3.2 });
    expect(cost.perFunction.classifier?.meanServiceMs).toBe(50);
    expect(cost.perFunction.agentApi?.meanServiceMs).toBeNaN();
  });

  it('carries what the dollars are computed from: busy time, log bytes, Pub/Sub bytes', () => {
    const before = counters({ busyMs: 100, logBytes: 1_000, pubsubPushBillableBytes: 5_000 });
    const after = counters({
      busyMs: 600,
      busyMsRoundedUp: 900,
      requestMs: 800,
      logBytes: 21_000,
      logLines: 40,
      pubsubPublishBillableBytes: 10_000,
      pubsubPublishBytes: 2_500,
      pubsubPushBillableBytes: 15_000,
      pubsubPushBytes: 3_000,
      firestoreDeletes: 5,
      maxInFlight: 3,
    });
    const cost = costPerMessage({ sender: difference(after, before) }, 10);
    expect(cost.billableMs).toBe(50);
    expect(cost.logBytes).toBe(2_000);
    expect(cost.pubsubBillableBytes).toBe(2_000);
    expect(cost.firestoreDeletes).toBe(0.5);
    expect(cost.perFunction.sender).toMatchObject({
      billableMs: 50,
      billableMsRoundedUp: 90,
      requestMs: 80,
      logLines: 4,
      pubsubBytes: 550,
      pubsubBillableBytes: 2_000,
      maxInFlight: 3,
    });
  });
});
