import * as z from 'zod';
import type { Representative } from './business-messages-api';
import type { Assignee } from './conversation';

/**
 * A live agent: a person who answers customers for one or more brands through the agent API.
 * Stored in Firestore `agents/{agentId}` (production, found by the email Identity-Aware Proxy
 * vouches for) or given in configuration (`AGENT_TOKENS`, locally). Not to be confused with the
 * Business Messages agent (`brands/B/agents/A`), which is the brand's presence on Google.
 */

export const AgentId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'agentId must be 1-128 of [A-Za-z0-9_-]');

const BrandId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected the brand ID of brands/BRAND_ID ([A-Za-z0-9_-])');

export const AgentRecord = z.strictObject({
  agentId: AgentId,
  /** Compared case-insensitively: kept in lower case. */
  email: z.email({ error: 'email must be an email address' }).transform((e) => e.toLowerCase()),
  /** Shown to the customer on every message the agent sends. */
  displayName: z.string().trim().min(1).max(100),
  /** Public HTTPS image (Google: 1024x1024 px, ≤ 50 KB, not a photo of a real person). */
  avatarUrl: z.url({ protocol: /^https$/, error: 'avatarUrl must be an https URL' }).optional(),
  /** The brands whose conversations the agent may see and answer. */
  brandIds: z.array(BrandId).max(100),
});
export type AgentRecord = z.infer<typeof AgentRecord>;
export type AgentRecordInput = z.input<typeof AgentRecord>;

/** Whether the agent may see and touch conversations of `brandId`. */
export const servesBrand = (agent: AgentRecord, brandId: string): boolean =>
  agent.brandIds.includes(brandId);

/** The agent as the conversation records its assignee. */
export function assigneeOf(agent: AgentRecord): Assignee {
  return {
    agentId: agent.agentId,
    displayName: agent.displayName,
    ...(agent.avatarUrl !== undefined ? { avatarUrl: agent.avatarUrl } : {}),
  };
}

/** Who the customer sees on a human's messages and events. */
export function humanRepresentative(agent: Assignee): Representative {
  return {
    representativeType: 'HUMAN',
    displayName: agent.displayName,
    ...(agent.avatarUrl !== undefined && /^https:\/\//.test(agent.avatarUrl)
      ? { avatarImage: agent.avatarUrl }
      : {}),
  };
}
