import { OAuth2Client } from 'google-auth-library';
import { AgentDirectoryError, type AgentDirectory } from '../ports/agent-directory';
import type {
  AgentAuthenticator,
  Authentication,
  RequestHeaders,
} from '../ports/agent-authenticator';

/** The header Identity-Aware Proxy adds to every request it lets through. */
export const IAP_HEADER = 'x-goog-iap-jwt-assertion';
export const IAP_ISSUER = 'https://cloud.google.com/iap';

/** IAP's public keys: key ID → PEM. */
export type IapPublicKeys = Record<string, string>;

export interface IapJwtVerifierOptions {
  /**
   * What IAP signs for: `/projects/NUMBER/global/backendServices/ID` behind a load balancer
   * (infra/70-agent-api-iap.sh prints it).
   */
  audience: string;
  /** Where the keys come from; by default Google's (`OAuth2Client.getIapPublicKeys()`). */
  fetchKeys?: () => Promise<IapPublicKeys>;
  client?: OAuth2Client;
  /** How long fetched keys are used before fetching again. */
  keyTtlMs?: number;
  now?: () => number;
}

/** The assertion is missing, malformed, expired, for someone else, or not signed by IAP. */
export class IapVerificationError extends Error {
  readonly retryable = false;
  constructor(reason: string) {
    super(reason);
    this.name = 'IapVerificationError';
  }
}

export interface IapIdentity {
  email: string;
  subject: string;
}

const KEY_REFRESH_MIN_MS = 60_000;

/**
 * Verifies IAP's signed header (ES256 JWT) with google-auth-library: signature against IAP's
 * public keys, issuer, audience, issue and expiry times. Keys are fetched once and reused for an
 * hour; a token naming a key not among them fetches again (at most once a minute), which is
 * how IAP's key rotation shows. A failed fetch is a transient error, not a verdict.
 */
export class IapJwtVerifier {
  private readonly client: OAuth2Client;
  private readonly fetchKeys: () => Promise<IapPublicKeys>;
  private readonly keyTtlMs: number;
  private readonly now: () => number;
  private keys: { at: number; value: Promise<IapPublicKeys> } | undefined;

  constructor(private readonly options: IapJwtVerifierOptions) {
    this.client = options.client ?? new OAuth2Client();
    this.fetchKeys =
      options.fetchKeys ?? (async () => (await this.client.getIapPublicKeys()).pubkeys);
    this.keyTtlMs = options.keyTtlMs ?? 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  async verify(jwt: string): Promise<IapIdentity> {
    if (jwt.split('.').length !== 3) throw new IapVerificationError('not a JWT');
    let keys = await this.currentKeys();
    const kid = keyIdOf(jwt);
    if (kid !== undefined && !(kid in keys) && this.stale(KEY_REFRESH_MIN_MS)) {
      keys = await this.currentKeys(true);
    }
    let payload: Record<string, unknown> | undefined;
    try {
      const ticket = await this.client.verifySignedJwtWithCertsAsync(
        jwt,
        keys,
        this.options.audience,
        [IAP_ISSUER],
      );
      payload = ticket.getPayload() as Record<string, unknown> | undefined;
    } catch (error) {
      // The library's messages quote the token; keep only what they say is wrong.
      const message = error instanceof Error ? error.message : String(error);
      throw new IapVerificationError(message.split(':')[0]?.trim() || 'invalid assertion');
    }
    const email = typeof payload?.email === 'string' ? payload.email : '';
    const subject = typeof payload?.sub === 'string' ? payload.sub : '';
    if (email === '') throw new IapVerificationError('assertion without an email');
    return { email: email.replace(/^accounts\.google\.com:/, '').toLowerCase(), subject };
  }

  private stale(ms: number): boolean {
    return this.keys === undefined || this.now() - this.keys.at >= ms;
  }

  private currentKeys(refresh = false): Promise<IapPublicKeys> {
    if (!refresh && this.keys && !this.stale(this.keyTtlMs)) return this.keys.value;
    const entry = { at: this.now(), value: this.fetchKeys() };
    this.keys = entry;
    entry.value.catch(() => {
      if (this.keys === entry) this.keys = undefined;
    });
    return entry.value;
  }
}

function keyIdOf(jwt: string): string | undefined {
  try {
    const header = JSON.parse(
      Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8'),
    ) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/** The value of one header (the first, if repeated). */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Agents behind Identity-Aware Proxy: the signed header says who (an email), the agent
 * directory says which agent that is. A valid identity without an agent record is FORBIDDEN.
 */
export class IapAgentAuthenticator implements AgentAuthenticator {
  constructor(
    private readonly verifier: Pick<IapJwtVerifier, 'verify'>,
    private readonly directory: AgentDirectory,
  ) {}

  async authenticate(headers: RequestHeaders): Promise<Authentication> {
    const jwt = headerValue(headers, IAP_HEADER);
    if (!jwt) return { ok: false, code: 'UNAUTHENTICATED', reason: `no ${IAP_HEADER} header` };
    let identity: IapIdentity;
    try {
      identity = await this.verifier.verify(jwt);
    } catch (error) {
      if (error instanceof IapVerificationError) {
        return { ok: false, code: 'UNAUTHENTICATED', reason: `IAP assertion: ${error.message}` };
      }
      throw error;
    }
    try {
      const agent = await this.directory.findByEmail(identity.email);
      return agent
        ? { ok: true, agent }
        : { ok: false, code: 'FORBIDDEN', reason: 'the identity is not a registered agent' };
    } catch (error) {
      if (error instanceof AgentDirectoryError) {
        return { ok: false, code: 'FORBIDDEN', reason: error.message };
      }
      throw error;
    }
  }
}
