import {
  CONTRACT_FILE,
  CONTRACT_FUNCTIONS,
  INDEX_FILE,
  NOT_YET_DISPATCHED,
  readContractFile,
  readDispatchTable,
} from './support/function-targets';

/**
 * The infra tests take the function list from the public contract; this keeps that list honest
 * against the contract file and against functions/index.ts, the FUNCTION_TARGET dispatch table
 * each deployment loads.
 */

const contractTargets = CONTRACT_FUNCTIONS.map((f) => f.target);

describe('the function targets the infra tests check', () => {
  it('match the public contract file, when it is present', () => {
    const rows = readContractFile();
    if (!rows) {
      console.warn(`public contract not found at ${CONTRACT_FILE}; using the copy in the test`);
      return;
    }
    expect(rows).toEqual(
      CONTRACT_FUNCTIONS.map((f) => ({
        target: f.target,
        kind: f.kind,
        ...(f.topic ? { topic: f.topic } : {}),
      })),
    );
  });

  it('match the FUNCTION_TARGET dispatch table of functions/index.ts', () => {
    const dispatched = readDispatchTable();
    if (!dispatched) {
      console.warn(`${INDEX_FILE} does not exist yet; the contract's function list is used`);
      return;
    }
    // A target the package serves but nothing deploys, or a renamed one: always an error.
    expect(dispatched.filter((t) => !contractTargets.includes(t as never))).toEqual([]);
    // A deployed target the package cannot serve: an error unless its code has not landed yet.
    expect(
      contractTargets.filter((t) => !dispatched.includes(t) && !NOT_YET_DISPATCHED.has(t)),
    ).toEqual([]);

    const landed = [...NOT_YET_DISPATCHED].filter((t) => dispatched.includes(t));
    if (landed.length > 0) {
      console.warn(
        `functions/index.ts now dispatches ${landed.join(', ')}: remove from NOT_YET_DISPATCHED ` +
          'in test/infra/support/function-targets.ts',
      );
    }
    const pending = contractTargets.filter((t) => !dispatched.includes(t));
    if (pending.length > 0) {
      console.warn(
        `functions/index.ts does not dispatch ${pending.join(', ')} yet: deploying them now would ` +
          'fail their cold start',
      );
    }
  });
});
