/** The timer functions the typing signal uses; tests pass their own. */
export interface TypingTimers {
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(handle: number): void;
}

/**
 * The agent's typing indicator for one conversation, without flooding: `true` on the first
 * keystroke, `false` after `idleMs` without one or when the message is sent. One start per idle
 * period, however many keystrokes.
 */
export class TypingSignal {
  private typing = false;
  private timer: number | undefined;

  constructor(
    private readonly post: (isTyping: boolean) => void,
    private readonly timers: TypingTimers,
    private readonly idleMs = 3000,
  ) {}

  /** A keystroke that changed the draft. */
  keystroke(): void {
    if (!this.typing) {
      this.typing = true;
      this.post(true);
    }
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.stop(), this.idleMs);
  }

  /** The message was sent, or the agent left the conversation: stop now if started. */
  stop(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.typing) return;
    this.typing = false;
    this.post(false);
  }

  get active(): boolean {
    return this.typing;
  }
}
