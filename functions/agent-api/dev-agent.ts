import type { AgentRecordInput } from '../core/agent-record';

/**
 * The live agent of local runs: "Alex (dev)", serving the sample brand `velo-cafe`, who signs in
 * with the bearer token `dev-agent-token` (the agent API's default `AGENT_TOKENS`, refused when
 * deployed). Here, beside the configuration that defaults to it and refuses it, so that the
 * deployed agent API loads nothing of functions/local (seeding code and its SDKs);
 * functions/local/sample-agents.ts seeds this agent into Firestore.
 */
export const DEV_AGENT_TOKEN = 'dev-agent-token';

export const DEV_AGENT: AgentRecordInput = {
  agentId: 'dev-alex',
  email: 'alex@velo-cafe.example',
  displayName: 'Alex (dev)',
  brandIds: ['velo-cafe'],
};

/** The agent API's default `AGENT_TOKENS`: the dev token → the dev agent. */
export const devAgentTokens = (): Record<string, AgentRecordInput> => ({
  [DEV_AGENT_TOKEN]: structuredClone(DEV_AGENT),
});
