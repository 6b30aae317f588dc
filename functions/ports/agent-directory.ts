import type { AgentRecord, AgentRecordInput } from '../core/agent-record';

/**
 * Live agents (`agents/{agentId}` in Firestore): who may use the agent API, under which name,
 * for which brands. Identity-Aware Proxy says who is calling (an email); this says who that is.
 */
export interface AgentDirectory {
  /**
   * The agent registered with `email` (case-insensitive), or undefined when there is none.
   * Throws `AgentDirectoryError` when the records are unusable (two agents with the email, an
   * invalid document): nobody is let in on a guess.
   */
  findByEmail(email: string): Promise<AgentRecord | undefined>;
}

/** A directory that can also store agents (seeding, admin tools). */
export interface WritableAgentDirectory extends AgentDirectory {
  /** Validates `agent` and stores it under its `agentId`. */
  put(agent: AgentRecordInput): Promise<AgentRecord>;
}

/** The directory's records can't answer who someone is; an operator must fix them. */
export class AgentDirectoryError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'AgentDirectoryError';
  }
}

/** The directory as an operator manages it (functions/ops). */
export interface AgentRecords {
  /** Every agent, by agent ID; an invalid document throws `AgentDirectoryError`. */
  list(): Promise<AgentRecord[]>;
  get(agentId: string): Promise<AgentRecord | undefined>;
  /** Whether there was such an agent. */
  remove(agentId: string): Promise<boolean>;
}
