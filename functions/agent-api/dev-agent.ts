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

/** "Robin (dev)", `dev-agent-token-2`: serves only the second sample brand, `harbour-books`. */
export const DEV_AGENT_2_TOKEN = 'dev-agent-token-2';
export const DEV_AGENT_2: AgentRecordInput = {
  agentId: 'dev-robin',
  email: 'robin@harbour-books.example',
  displayName: 'Robin (dev)',
  brandIds: ['harbour-books'],
};

/** "Sam (dev)", `dev-agent-token-3`: Alex's teammate on `velo-cafe` (two agents, one queue). */
export const DEV_AGENT_3_TOKEN = 'dev-agent-token-3';
export const DEV_AGENT_3: AgentRecordInput = {
  agentId: 'dev-sam',
  email: 'sam@velo-cafe.example',
  displayName: 'Sam (dev)',
  brandIds: ['velo-cafe'],
};

/** Every development agent, by token; each token is refused when deployed. */
const DEV_AGENTS: Readonly<Record<string, AgentRecordInput>> = {
  [DEV_AGENT_TOKEN]: DEV_AGENT,
  [DEV_AGENT_2_TOKEN]: DEV_AGENT_2,
  [DEV_AGENT_3_TOKEN]: DEV_AGENT_3,
};
export const DEV_AGENT_TOKENS: readonly string[] = Object.keys(DEV_AGENTS);

/** The agent API's default `AGENT_TOKENS`: the dev tokens → the dev agents. */
export const devAgentTokens = (): Record<string, AgentRecordInput> => structuredClone(DEV_AGENTS);

/** The development agents' records, for seeding `agents/{agentId}`. */
export const devAgents = (): AgentRecordInput[] => Object.values(structuredClone(DEV_AGENTS));
