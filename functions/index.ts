/**
 * The deployed package's entry (`main`). Cloud Run functions sets FUNCTION_TARGET to the
 * function being served; only that function's module is loaded, so each deployment pays the
 * cold start of the SDKs it uses and no others.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loading on demand is the point */
const FUNCTIONS: Record<string, () => void> = {
  webhook: () => void require('./webhook'),
  liveAgent: () => void require('./live-agent'),
  agentApi: () => void require('./agent-api'),
  classifier: () => void require('./classifier'),
  automation: () => void require('./automation'),
  sender: () => void require('./sender'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

const target = process.env.FUNCTION_TARGET;
if (target === undefined) {
  for (const load of Object.values(FUNCTIONS)) load();
} else {
  const load = FUNCTIONS[target];
  if (!load) {
    throw new Error(
      `FUNCTION_TARGET=${target} is not a function of this package (known: ${Object.keys(FUNCTIONS).join(', ')})`,
    );
  }
  load();
}
