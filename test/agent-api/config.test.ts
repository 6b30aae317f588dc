import { AgentApiConfig } from '../../functions/agent-api/config';
import { ConfigError, loadConfig } from '../../functions/platform/config';

const AUDIENCE = '/projects/123456789/global/backendServices/987654321';
const ALEX = {
  agentId: 'alex',
  email: 'alex@velo-cafe.example',
  displayName: 'Alex',
  brandIds: ['velo-cafe'],
};

const problemsOf = (env: Record<string, string | undefined>): string[] => {
  try {
    loadConfig(AgentApiConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('agent API configuration', () => {
  it('locally: static tokens, the dev tokens standing for the dev agents of the sample brands', () => {
    const config = loadConfig(AgentApiConfig, {});
    expect(config.AGENT_AUTH).toBe('tokens');
    expect(config.AGENT_TOKENS).toEqual({
      'dev-agent-token': {
        agentId: 'dev-alex',
        email: 'alex@velo-cafe.example',
        displayName: 'Alex (dev)',
        brandIds: ['velo-cafe'],
      },
      'dev-agent-token-2': {
        agentId: 'dev-robin',
        email: 'robin@harbour-books.example',
        displayName: 'Robin (dev)',
        brandIds: ['harbour-books'],
      },
      'dev-agent-token-3': {
        agentId: 'dev-sam',
        email: 'sam@velo-cafe.example',
        displayName: 'Sam (dev)',
        brandIds: ['velo-cafe'],
      },
    });
    expect(config.AGENT_SESSION_TTL_MS).toBe(8 * 3_600_000);
    expect(config.AGENT_SESSION_SECRET).toBeUndefined();
    expect(config.AGENT_API_SSE_HEARTBEAT_MS).toBe(15_000);
    expect(config.AGENT_API_SSE_MAX_MS).toBe(240_000);
  });

  it('deployed: IAP by default, which needs IAP_AUDIENCE', () => {
    expect(problemsOf({ K_SERVICE: 'agent-api' })).toEqual([
      'IAP_AUDIENCE (unset): required with AGENT_AUTH=iap',
    ]);
    const config = loadConfig(AgentApiConfig, { K_SERVICE: 'agent-api', IAP_AUDIENCE: AUDIENCE });
    expect(config).toMatchObject({ AGENT_AUTH: 'iap', IAP_AUDIENCE: AUDIENCE });
  });

  it('deployed: the dev token is refused', () => {
    expect(problemsOf({ K_SERVICE: 'agent-api', AGENT_AUTH: 'tokens' })).toEqual([
      'AGENT_TOKENS (unset): the development tokens are refused when deployed',
    ]);
    const tokens = JSON.stringify({ 's3cret-token-of-alex': ALEX });
    expect(
      loadConfig(AgentApiConfig, {
        K_SERVICE: 'agent-api',
        AGENT_AUTH: 'tokens',
        AGENT_TOKENS: tokens,
      }).AGENT_TOKENS,
    ).toEqual({ 's3cret-token-of-alex': ALEX });
  });

  it.each([
    {
      name: 'a malformed audience',
      env: { AGENT_AUTH: 'iap', IAP_AUDIENCE: 'backend-123' },
      path: 'IAP_AUDIENCE',
    },
    { name: 'tokens that are not JSON', env: { AGENT_TOKENS: '{nope' }, path: 'AGENT_TOKENS' },
    {
      name: 'an agent record without brands',
      env: {
        AGENT_TOKENS: JSON.stringify({ 'long-enough-token': { ...ALEX, brandIds: undefined } }),
      },
      path: 'AGENT_TOKENS',
    },
    {
      name: 'a short token',
      env: { AGENT_TOKENS: JSON.stringify({ short: ALEX }) },
      path: 'AGENT_TOKENS',
    },
    { name: 'an unknown mode', env: { AGENT_AUTH: 'basic' }, path: 'AGENT_AUTH' },
  ])('refuses $name', ({ env, path }) => {
    const problems = problemsOf(env);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith(path))).toBe(true);
    // Token values are never echoed.
    expect(problems.join('\n')).not.toContain('long-enough-token');
  });
});
