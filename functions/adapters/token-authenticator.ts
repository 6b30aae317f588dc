import { createHash, timingSafeEqual } from 'node:crypto';
import type { AgentRecord } from '../core/agent-record';
import type {
  AgentAuthenticator,
  Authentication,
  RequestHeaders,
} from '../ports/agent-authenticator';

const digestOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Static bearer tokens (`Authorization: Bearer TOKEN`), each standing for one agent record: the
 * local stand-in for Identity-Aware Proxy. Tokens are compared as SHA-256 digests in constant
 * time, every one of them, so timing says nothing about which came close.
 */
export class TokenAuthenticator implements AgentAuthenticator {
  private readonly tokens: { digest: Buffer; agent: AgentRecord }[];

  constructor(tokens: Record<string, AgentRecord>) {
    this.tokens = Object.entries(tokens).map(([token, agent]) => ({
      digest: digestOf(token),
      agent,
    }));
  }

  authenticate(headers: RequestHeaders): Promise<Authentication> {
    const raw = headers.authorization;
    const header = Array.isArray(raw) ? raw[0] : raw;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      return Promise.resolve({
        ok: false,
        code: 'UNAUTHENTICATED',
        reason: header === undefined ? 'no Authorization header' : 'not a bearer token',
      });
    }
    const presented = digestOf(match[1]);
    let found: AgentRecord | undefined;
    for (const { digest, agent } of this.tokens) {
      if (timingSafeEqual(digest, presented) && found === undefined) found = agent;
    }
    return Promise.resolve(
      found
        ? { ok: true, agent: structuredClone(found) }
        : { ok: false, code: 'UNAUTHENTICATED', reason: 'unknown token' },
    );
  }
}
