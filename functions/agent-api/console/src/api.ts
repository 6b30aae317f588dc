import type { ConversationDetail, ConversationView, SessionView } from './types';

/** An answer other than success, or no answer (`status` 0, code `NETWORK`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly heldBy?: { agentId: string; displayName: string },
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; heldBy?: { agentId: string; displayName: string } };
}

export interface ApiOptions {
  /** The API's root URL (the console is served at `<root>/console/`). */
  base: URL;
  /**
   * Called when the session has ended (401): resolves once the agent has signed in again, and
   * the call is then made once more.
   */
  reauthenticate: () => Promise<void>;
}

/**
 * The agent API, same origin, authenticated by the session cookie. Every call carries
 * `X-BM-Console: 1`, which the API requires of cookie-authenticated changes (CSRF).
 */
export class Api {
  constructor(private readonly options: ApiOptions) {}

  url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.options.base).toString();
  }

  async call<T>(method: string, path: string, body?: unknown, retry = true): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: {
          'X-BM-Console': '1',
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : String(error));
    }
    if (res.status === 401 && retry) {
      await this.options.reauthenticate();
      return this.call<T>(method, path, body, false);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = (json as ErrorBody | undefined)?.error;
      throw new ApiError(
        res.status,
        error?.code ?? `HTTP_${res.status}`,
        error?.message ?? (res.statusText || `HTTP ${res.status}`),
        error?.heldBy,
      );
    }
    return json as T;
  }

  /** The current session, or null when not signed in (401). */
  async session(): Promise<SessionView | null> {
    try {
      return await this.call<SessionView>('GET', '/session', undefined, false);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  signIn(token: string): Promise<SessionView> {
    return this.call<SessionView>('POST', '/session', { token }, false);
  }

  signOut(): Promise<void> {
    return this.call<void>('DELETE', '/session', undefined, false);
  }

  async list(query: string): Promise<ConversationView[]> {
    const answer = await this.call<{ conversations: ConversationView[] }>(
      'GET',
      `/conversations?${query}`,
    );
    return answer.conversations;
  }

  conversation(id: string): Promise<ConversationDetail> {
    return this.call<ConversationDetail>(
      'GET',
      `/conversations/${encodeURIComponent(id)}?limit=200`,
    );
  }

  async claim(id: string): Promise<ConversationView> {
    const answer = await this.call<{ conversation: ConversationView }>(
      'POST',
      `/conversations/${encodeURIComponent(id)}/claim`,
      {},
    );
    return answer.conversation;
  }

  send(id: string, text: string, clientMessageId: string): Promise<{ messageId: string }> {
    return this.call('POST', `/conversations/${encodeURIComponent(id)}/messages`, {
      text,
      clientMessageId,
    });
  }

  typing(id: string, isTyping: boolean): Promise<unknown> {
    return this.call('POST', `/conversations/${encodeURIComponent(id)}/typing`, { isTyping });
  }

  release(id: string): Promise<unknown> {
    return this.call('POST', `/conversations/${encodeURIComponent(id)}/release`, {});
  }

  close(id: string, survey: boolean): Promise<unknown> {
    return this.call('POST', `/conversations/${encodeURIComponent(id)}/close`, { survey });
  }
}
