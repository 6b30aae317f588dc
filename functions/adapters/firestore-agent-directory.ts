import type { Firestore } from '@google-cloud/firestore';
import { AgentRecord, type AgentRecordInput } from '../core/agent-record';
import {
  AgentDirectoryError,
  type AgentRecords,
  type WritableAgentDirectory,
} from '../ports/agent-directory';
import { describeIssues } from '../core/validation-problems';

export interface FirestoreAgentDirectoryOptions {
  /** Collection of agent documents, one per agent ID. */
  collection?: string;
  /** How long a lookup is reused by this instance; 0 reads every time. */
  cacheTtlMs?: number;
  now?: () => number;
}

/**
 * Live agents in Firestore, `agents/{agentId}`: `{email, displayName, avatarUrl?, brandIds}`
 * (the document ID is the agent ID; `email` is stored in lower case). Lookups by email are
 * cached per instance for a minute by default, so an agent's requests cost no read each; a
 * change (a brand taken away) is live within the TTL. Failures are not cached.
 */
export class FirestoreAgentDirectory implements WritableAgentDirectory, AgentRecords {
  private readonly cache = new Map<
    string,
    { until: number; value: Promise<AgentRecord | undefined> }
  >();
  private readonly collection: string;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Firestore,
    options: FirestoreAgentDirectoryOptions = {},
  ) {
    this.collection = options.collection ?? 'agents';
    this.ttlMs = options.cacheTtlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  findByEmail(email: string): Promise<AgentRecord | undefined> {
    const wanted = email.trim().toLowerCase();
    const at = this.now();
    const hit = this.cache.get(wanted);
    if (hit && hit.until > at) return hit.value;
    const value = this.read(wanted);
    const entry = { until: at + this.ttlMs, value };
    this.cache.set(wanted, entry);
    value.catch(() => {
      if (this.cache.get(wanted) === entry) this.cache.delete(wanted);
    });
    return value;
  }

  async put(input: AgentRecordInput): Promise<AgentRecord> {
    const agent = AgentRecord.parse(input);
    const { agentId, ...document } = agent;
    await this.db.collection(this.collection).doc(agentId).set(document);
    this.cache.clear();
    return agent;
  }

  async list(): Promise<AgentRecord[]> {
    const snapshot = await this.db.collection(this.collection).get();
    return snapshot.docs.map((doc) => this.parse(doc.id, doc.ref.path, doc.data()));
  }

  async get(agentId: string): Promise<AgentRecord | undefined> {
    const doc = await this.db.collection(this.collection).doc(agentId).get();
    return doc.exists ? this.parse(doc.id, doc.ref.path, doc.data()) : undefined;
  }

  async remove(agentId: string): Promise<boolean> {
    const ref = this.db.collection(this.collection).doc(agentId);
    const existed = (await ref.get()).exists;
    if (existed) await ref.delete();
    this.cache.clear();
    return existed;
  }

  private parse(agentId: string, path: string, data: unknown): AgentRecord {
    const parsed = AgentRecord.safeParse({ ...(data as object), agentId });
    if (parsed.success) return parsed.data;
    throw new AgentDirectoryError(`${path} is not a valid agent: ${describeIssues(parsed.error)}`);
  }

  private async read(email: string): Promise<AgentRecord | undefined> {
    const snapshot = await this.db
      .collection(this.collection)
      .where('email', '==', email)
      .limit(2)
      .get();
    if (snapshot.size > 1) {
      throw new AgentDirectoryError(`more than one agent in ${this.collection} has this email`);
    }
    const doc = snapshot.docs[0];
    return doc ? this.parse(doc.id, doc.ref.path, doc.data()) : undefined;
  }
}
