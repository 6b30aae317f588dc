import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TokenAuthenticator } from '../adapters/token-authenticator';
import type { AgentRecord } from '../core/agent-record';
import type {
  AgentAuthenticator,
  Authentication,
  RequestHeaders,
} from '../ports/agent-authenticator';

/**
 * Console sessions for the token sign-in (local runs; behind Identity-Aware Proxy the proxy signs
 * agents in and there is no session of ours). `EventSource` cannot send an Authorization header,
 * so the console trades its token once, at `POST /session`, for an HttpOnly, SameSite=Strict
 * cookie; the token itself never reaches a URL, a log or the page's storage.
 *
 * The cookie is `v1.<agent ID, base64url>.<expiry ms>.<HMAC-SHA256>`: stateless, so any
 * instance holding the same secret accepts it, and it says nothing a person could forge or
 * extend. It names the agent, not the token: the agent's record is looked up on every request,
 * so a token removed from the configuration ends its sessions at the next restart.
 */

export const SESSION_COOKIE = 'bm_session';

/** The header the console sends with every state-changing request (a cross-site form cannot). */
export const CONSOLE_HEADER = 'x-bm-console';

export interface SessionSignIn {
  /** How long a session lasts. */
  readonly ttlMs: number;
  /** The session for a valid token, or undefined for an unknown one. */
  signIn(
    token: string,
  ): Promise<{ agent: AgentRecord; cookie: string; expiresAt: Date } | undefined>;
}

export class SessionCookies {
  private readonly secret: Buffer;

  /** Without a secret, a random one: sessions then last as long as the instance. */
  constructor(
    secret: string | undefined,
    readonly ttlMs: number,
  ) {
    this.secret = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  issue(agentId: string, now: Date): { value: string; expiresAt: Date } {
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const payload = `v1.${Buffer.from(agentId, 'utf8').toString('base64url')}.${expiresAt.getTime()}`;
    return { value: `${payload}.${this.mac(payload)}`, expiresAt };
  }

  /** The agent ID and expiry of a genuine, unexpired cookie value; undefined otherwise. */
  verify(value: string, now: Date): { agentId: string; expiresAt: Date } | undefined {
    const match = /^(v1\.([A-Za-z0-9_-]{1,400})\.(\d{1,15}))\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!match?.[1] || !match[2] || !match[3] || !match[4]) return undefined;
    const expected = Buffer.from(this.mac(match[1]), 'utf8');
    const presented = Buffer.from(match[4], 'utf8');
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) {
      return undefined;
    }
    const expiresAt = new Date(Number(match[3]));
    if (expiresAt.getTime() <= now.getTime()) return undefined;
    return { agentId: Buffer.from(match[2], 'base64url').toString('utf8'), expiresAt };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload, 'utf8').digest('base64url');
  }
}

/**
 * Bearer tokens (scripts, curl) or the console's session cookie. A request with an
 * Authorization header is judged by it alone, so a stale cookie never overrides a token.
 */
export class SessionAuthenticator implements AgentAuthenticator, SessionSignIn {
  constructor(
    private readonly bearer: AgentAuthenticator,
    private readonly cookies: SessionCookies,
    private readonly agentById: (agentId: string) => AgentRecord | undefined,
    private readonly now: () => Date,
  ) {}

  get ttlMs(): number {
    return this.cookies.ttlMs;
  }

  authenticate(headers: RequestHeaders): Promise<Authentication> {
    if (headers.authorization !== undefined) return this.bearer.authenticate(headers);
    return Promise.resolve(this.fromCookie(headers.cookie));
  }

  private fromCookie(header: string | string[] | undefined): Authentication {
    const refused = (reason: string): Authentication => ({
      ok: false,
      code: 'UNAUTHENTICATED',
      reason,
    });
    const value = cookieValue(header, SESSION_COOKIE);
    if (value === undefined) return refused('no Authorization header or session');
    const session = this.cookies.verify(value, this.now());
    if (!session) return refused('session expired or invalid');
    const agent = this.agentById(session.agentId);
    if (!agent) return refused('session of an unknown agent');
    return {
      ok: true,
      agent: structuredClone(agent),
      session: { expiresAt: session.expiresAt.toISOString() },
    };
  }

  async signIn(
    token: string,
  ): Promise<{ agent: AgentRecord; cookie: string; expiresAt: Date } | undefined> {
    const checked = await this.bearer.authenticate({ authorization: `Bearer ${token}` });
    if (!checked.ok) return undefined;
    const { value, expiresAt } = this.cookies.issue(checked.agent.agentId, this.now());
    return { agent: checked.agent, cookie: value, expiresAt };
  }
}

/** Bearer tokens, and console sessions for the same agents. */
export function tokenSessions(
  tokens: Record<string, AgentRecord>,
  options: { secret: string | undefined; ttlMs: number; now: () => Date },
): SessionAuthenticator {
  const byId = new Map(Object.values(tokens).map((agent) => [agent.agentId, agent]));
  return new SessionAuthenticator(
    new TokenAuthenticator(tokens),
    new SessionCookies(options.secret, options.ttlMs),
    (agentId) => byId.get(agentId),
    options.now,
  );
}

/** One cookie's value from a Cookie header; undefined when absent. */
export function cookieValue(
  header: string | string[] | undefined,
  name: string,
): string | undefined {
  const joined = Array.isArray(header) ? header.join('; ') : header;
  if (joined === undefined) return undefined;
  for (const part of joined.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** `Set-Cookie` for a session; `Secure` whenever the request came over HTTPS. */
export function sessionCookieHeader(value: string, maxAgeMs: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
