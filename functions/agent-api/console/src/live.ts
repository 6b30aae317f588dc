import type { ConversationView, CustomerMessageEvent, CustomerTypingEvent } from './types';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  state(state: LiveState): void;
  updated(conversation: ConversationView): void;
  removed(conversationId: string): void;
  message(event: CustomerMessageEvent): void;
  typing(event: CustomerTypingEvent): void;
  /** The snapshot is complete: `ids` are every live conversation the server knows of now. */
  ready(ids: ReadonlySet<string>): void;
  /**
   * The stream closed for good (EventSource gave up, e.g. on a 401): resolves when it may be
   * opened again (after a sign-in, or a pause).
   */
  closed(): Promise<void>;
}

/**
 * `GET /events` over EventSource. EventSource reconnects by itself after the server ends the
 * stream (every few minutes, by design); while it is not open the state is `reconnecting`, and
 * each reconnection ends with a fresh snapshot (`ready`), so the caller can refetch what it shows.
 */
export class LiveFeed {
  private source: EventSource | undefined;
  private snapshot = new Set<string>();
  private stopped = true;
  private everReady = false;

  constructor(
    private readonly url: string,
    private readonly on: LiveHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = undefined;
  }

  private open(): void {
    if (this.stopped) return;
    this.source?.close();
    this.snapshot = new Set();
    this.on.state(this.everReady ? 'reconnecting' : 'connecting');
    const source = new EventSource(this.url, { withCredentials: true });
    this.source = source;
    const data = <T>(event: Event): T | undefined => {
      if (!(event instanceof MessageEvent) || typeof event.data !== 'string') return undefined;
      try {
        return JSON.parse(event.data) as T;
      } catch {
        return undefined;
      }
    };
    source.addEventListener('open', () => {
      this.snapshot = new Set();
    });
    source.addEventListener('conversation.updated', (event) => {
      const conversation = data<{ conversation: ConversationView }>(event)?.conversation;
      if (!conversation) return;
      this.snapshot.add(conversation.id);
      this.on.updated(conversation);
    });
    source.addEventListener('conversation.removed', (event) => {
      const id = data<{ conversationId: string }>(event)?.conversationId;
      if (id) this.on.removed(id);
    });
    source.addEventListener('customer.message', (event) => {
      const message = data<CustomerMessageEvent>(event);
      if (message) this.on.message(message);
    });
    source.addEventListener('customer.typing', (event) => {
      const typing = data<CustomerTypingEvent>(event);
      if (typing) this.on.typing(typing);
    });
    source.addEventListener('ready', () => {
      this.everReady = true;
      this.on.state('live');
      this.on.ready(this.snapshot);
    });
    // The server is about to end the stream; EventSource reconnects after `retry`.
    source.addEventListener('reconnect', () => this.on.state('reconnecting'));
    // Both the browser's connection errors and the server's named `error` event.
    source.addEventListener('error', () => {
      if (source !== this.source) return;
      if (source.readyState !== EventSource.CLOSED) {
        this.on.state('reconnecting');
        return;
      }
      this.on.state('reconnecting');
      this.source = undefined;
      void this.on.closed().then(() => this.open());
    });
  }
}
