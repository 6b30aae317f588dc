import { Firestore } from '@google-cloud/firestore';
import { FirestoreAgentDirectory } from '../adapters/firestore-agent-directory';
import { DEV_AGENT, DEV_AGENT_TOKEN, devAgents, devAgentTokens } from '../agent-api/dev-agent';
import type { AgentRecord, AgentRecordInput } from '../core/agent-record';
import type { WritableAgentDirectory } from '../ports/agent-directory';

/**
 * The live agent of the local stack, "Alex (dev)" (defined with the agent API, whose default
 * token stands for it). Seeded into `agents/dev-alex` too, so the IAP mode can be tried locally
 * with an identity whose email is Alex's.
 */
export { DEV_AGENT, DEV_AGENT_TOKEN, devAgentTokens };

/**
 * Stores `agents` (by default the dev agents) in Firestore `agents/{agentId}` or in an agent
 * directory; each is validated first.
 */
export async function seedAgents(
  target: Firestore | WritableAgentDirectory,
  agents: readonly AgentRecordInput[] = devAgents(),
): Promise<AgentRecord[]> {
  const directory = isDirectory(target) ? target : new FirestoreAgentDirectory(target);
  const seeded: AgentRecord[] = [];
  for (const agent of agents) seeded.push(await directory.put(agent));
  return seeded;
}

/**
 * The local stack's seeder (a `Seeder` of functions/local/stack/seed.ts): the dev agents into
 * the Firestore emulator at `firestoreHost`, for project `projectId`.
 */
export async function seedSampleAgents(target: {
  firestoreHost: string;
  projectId: string;
}): Promise<void> {
  // ssl: false makes the client talk to the emulator as its owner, without credentials.
  const db = new Firestore({ projectId: target.projectId, host: target.firestoreHost, ssl: false });
  try {
    await seedAgents(db);
  } finally {
    await db.terminate();
  }
}

const isDirectory = (
  target: Firestore | WritableAgentDirectory,
): target is WritableAgentDirectory =>
  typeof (target as Partial<WritableAgentDirectory>).put === 'function' &&
  typeof (target as Partial<Firestore>).collection !== 'function';
