import { AgentRecord, type AgentRecordInput } from '../core/agent-record';
import { AgentDirectoryError, type WritableAgentDirectory } from '../ports/agent-directory';

/** Live agents in memory: for tests and the one-process local mode. */
export class InMemoryAgentDirectory implements WritableAgentDirectory {
  private readonly agents = new Map<string, AgentRecord>();

  /** `agents` are validated like stored ones; an invalid one throws. */
  constructor(agents: readonly AgentRecordInput[] = []) {
    for (const agent of agents) this.store(agent);
  }

  findByEmail(email: string): Promise<AgentRecord | undefined> {
    const wanted = email.trim().toLowerCase();
    const found = [...this.agents.values()].filter((a) => a.email === wanted);
    if (found.length > 1) {
      return Promise.reject(
        new AgentDirectoryError(`${found.length} agents have the email ${wanted}`),
      );
    }
    return Promise.resolve(found[0] ? structuredClone(found[0]) : undefined);
  }

  put(agent: AgentRecordInput): Promise<AgentRecord> {
    try {
      return Promise.resolve(this.store(agent));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private store(input: AgentRecordInput): AgentRecord {
    const agent = AgentRecord.parse(input);
    this.agents.set(agent.agentId, agent);
    return structuredClone(agent);
  }
}
