import * as z from 'zod';
import { AgentRecord } from '../core/agent-record';
import { issueLines } from '../core/validation-problems';
import { DEV_AGENT_TOKENS, devAgentTokens } from './dev-agent';
import { CommonConfig } from '../platform/config';

/** `/projects/NUMBER/global/backendServices/ID` (load balancer) or `/projects/NUMBER/apps/ID`. */
const IapAudience = z
  .string()
  .regex(
    /^\/projects\/\d+\/(global\/backendServices\/\d+|apps\/[a-z][a-z0-9-]+)$/,
    'expected /projects/NUMBER/global/backendServices/ID (printed by infra/70-agent-api-iap.sh)',
  );

/**
 * `AGENT_TOKENS`: JSON `{"TOKEN": {agentId, email, displayName, avatarUrl?, brandIds}}`. Problems
 * name the entry by position and agent, never by its token (a secret).
 */
const AgentTokens = z.string().transform((text, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of token → agent record' });
    return z.NEVER;
  }
  const tokens: Record<string, AgentRecord> = {};
  Object.entries(parsed).forEach(([token, input], i) => {
    const agentId = (input as { agentId?: unknown } | null)?.agentId;
    const entry = `entry ${i + 1}${typeof agentId === 'string' ? ` (${agentId})` : ''}`;
    if (token.length < 8) {
      ctx.addIssue({ code: 'custom', message: `${entry}: a token needs at least 8 characters` });
    }
    const agent = AgentRecord.safeParse(input);
    if (!agent.success) {
      for (const line of issueLines(agent.error, { root: null })) {
        ctx.addIssue({ code: 'custom', message: `${entry}: ${line}` });
      }
      return;
    }
    tokens[token] = agent.data;
  });
  return tokens;
});

const Millis = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const AgentApiConfig = CommonConfig.extend({
  /** The Firestore database holding conversations, brands and agents. */
  FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
  /** `iap`: Identity-Aware Proxy's signed header; `tokens`: static bearer tokens. */
  AGENT_AUTH: z.enum(['iap', 'tokens']).optional(),
  IAP_AUDIENCE: IapAudience.optional(),
  AGENT_TOKENS: AgentTokens.default(devAgentTokens()),
  /** A comment line on every event stream this often, so proxies keep it open. */
  AGENT_API_SSE_HEARTBEAT_MS: Millis(1_000, 120_000).default(15_000),
  /** An event stream ends after this long (the client reconnects); below the 300 s timeout. */
  AGENT_API_SSE_MAX_MS: Millis(1_000, 3_600_000).default(240_000),
  /**
   * Signs the console's session cookies (token sign-in only), at least 32 characters. Unset, a
   * random secret per instance: sessions then end when the instance does.
   */
  AGENT_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a console session lasts before the agent signs in again. */
  AGENT_SESSION_TTL_MS: Millis(1_000, 7 * 24 * 3_600_000).default(8 * 3_600_000),
})
  .transform((config) => ({
    ...config,
    // Deployed, the default is IAP; locally, the dev token.
    AGENT_AUTH: config.AGENT_AUTH ?? (config.K_SERVICE === undefined ? 'tokens' : 'iap'),
  }))
  .superRefine((config, ctx) => {
    if (config.AGENT_AUTH === 'iap' && config.IAP_AUDIENCE === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['IAP_AUDIENCE'],
        message: 'required with AGENT_AUTH=iap',
      });
    }
    if (config.K_SERVICE === undefined) return;
    if (
      config.AGENT_AUTH === 'tokens' &&
      DEV_AGENT_TOKENS.some((token) => token in config.AGENT_TOKENS)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['AGENT_TOKENS'],
        message: 'the development tokens are refused when deployed',
      });
    }
  });
export type AgentApiConfig = z.infer<typeof AgentApiConfig>;
