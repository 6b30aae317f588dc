import { costPerMessage, difference, type Counters } from '../../functions/local/bench/cost';

const counters = (over: Partial<Counters>): Counters => ({
  requests: 0,
  maxInFlight: 0,
  requestMs: 0,
  firestoreReads: 0,
  firestoreWrites: 0,
  firestoreCommits: 0,
  firestoreFailedCommits: 0,
  firestoreQueries: 0,
  rpcs: {},
  ...over,
});

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
});
