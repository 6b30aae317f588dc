import {
  CONTRACT_FILE,
  CONTRACT_FUNCTIONS,
  INDEX_FILE,
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
  it("match README.md's function table", () => {
    const rows = readContractFile();
    if (!rows) throw new Error(`${CONTRACT_FILE} not found`);
    expect(rows).toEqual(
      CONTRACT_FUNCTIONS.map((f) => ({
        target: f.target,
        kind: f.kind,
        ...(f.topic ? { topic: f.topic } : {}),
      })),
    );
  });

  it('match the FUNCTION_TARGET dispatch table of functions/index.ts exactly', () => {
    const dispatched = readDispatchTable();
    if (!dispatched) throw new Error(`${INDEX_FILE} has no FUNCTION_TARGET dispatch table`);
    // A target the package serves but nothing deploys, or a renamed one.
    expect(dispatched.filter((t) => !contractTargets.includes(t as never))).toEqual([]);
    // A deployed target the package cannot serve would fail its cold start.
    expect(contractTargets.filter((t) => !dispatched.includes(t))).toEqual([]);
  });
});
