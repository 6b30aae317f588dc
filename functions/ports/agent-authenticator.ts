import type { AgentRecord } from '../core/agent-record';

/**
 * Who is calling the agent API. Production: Identity-Aware Proxy's signed header, mapped by
 * email to an agent record (functions/adapters/iap-agent-authenticator.ts); locally: static
 * bearer tokens from configuration (functions/adapters/token-authenticator.ts).
 */
export type RequestHeaders = Record<string, string | string[] | undefined>;

export type Authentication =
  | {
      ok: true;
      agent: AgentRecord;
      /**
       * Present when the console's session cookie authenticated the request (not a bearer token
       * or IAP): state-changing calls then need proof they come from the console itself.
       */
      session?: { expiresAt: string };
    }
  /**
   * `UNAUTHENTICATED`: no or invalid credentials (401); `FORBIDDEN`: a real identity that is not
   * an agent (403). `reason` is for logs, never for the caller.
   */
  | { ok: false; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; reason: string };

export interface AgentAuthenticator {
  /** Resolves with the outcome; rejects only when it could not decide (a transient failure). */
  authenticate(headers: RequestHeaders): Promise<Authentication>;
}
