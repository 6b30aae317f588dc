import { randomBytes, randomUUID } from 'node:crypto';
import type { CustomerContext } from '../../../functions/local/simulator/customer-events';
import type { InspectedConversation } from '../../../functions/local/simulator/render';
import type { TestStack } from '../../support/stack';

/** One line per thing the customer saw, in arrival order: `BOT: …`, `HUMAN: …`, `JOINED HUMAN`. */
export interface Seen {
  seq: number;
  what: string;
}

export function story(c: InspectedConversation): Seen[] {
  return [
    ...c.messages.map((m) => ({
      seq: m.seq,
      what: `${m.body.representative?.representativeType ?? '?'}: ${m.body.text ?? m.body.fallback ?? '[rich]'}`,
    })),
    ...c.events.map((e) => ({
      seq: e.seq,
      what: `${e.body.eventType} ${e.body.representative?.representativeType ?? ''}`.trim(),
    })),
  ].sort((a, b) => a.seq - b.seq);
}

const total = (c: InspectedConversation) =>
  c.messages.length + c.events.length + c.surveys.length + c.receipts.length;

/**
 * A customer of a sample brand, with a display name of their own (rows are found by it), who
 * acts through signed webhook events like Google.
 */
export class Customer {
  readonly who: CustomerContext;
  readonly name: string;

  constructor(
    private readonly stack: TestStack,
    options: { agent: string; name: string; locale?: string },
  ) {
    this.name = `${options.name} ${randomBytes(2).toString('hex')}`;
    this.who = {
      conversationId: randomUUID(),
      agent: options.agent,
      locale: options.locale ?? 'en',
      entryPoint: 'PLACESHEET',
      placeId: 'ChIJN1t_tDeuEmsRUsoyG83frY4',
      displayName: this.name,
    };
  }

  get id(): string {
    return this.who.conversationId;
  }

  async say(text: string): Promise<void> {
    const answer = await this.stack.act(this.who, { type: 'text', text });
    if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${answer.body}`);
  }

  async askForPerson(): Promise<void> {
    const answer = await this.stack.act(this.who, { type: 'live-agent' });
    if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${answer.body}`);
  }

  async typing(isTyping: boolean): Promise<void> {
    await this.stack.act(this.who, { type: 'typing', isTyping });
  }

  /** What the stand-in accepted once it holds at least `count` items. */
  seen(count = 0, timeoutMs = 30_000): Promise<InspectedConversation> {
    return this.stack.inspect(this.id, count, timeoutMs);
  }

  /** Waits until the conversation stops growing (no new item for a quiet moment). */
  async settled(atLeast: number): Promise<InspectedConversation> {
    let seen = await this.seen(atLeast);
    for (;;) {
      const next = await this.stack.inspect(this.id, total(seen) + 1, 1500);
      if (total(next) === total(seen)) return next;
      seen = next;
    }
  }

  /** Waits until `test` holds for what the customer has seen. */
  async until(test: (lines: Seen[]) => boolean, timeoutMs = 30_000): Promise<Seen[]> {
    const deadline = Date.now() + timeoutMs;
    let lines: Seen[] = [];
    while (Date.now() < deadline) {
      const seen = await this.seen(0, 1);
      lines = story(seen);
      if (test(lines)) return lines;
      await this.stack.inspect(this.id, total(seen) + 1, 2000);
    }
    throw new Error(
      `not seen in ${timeoutMs} ms; the customer saw:\n${lines.map((l) => l.what).join('\n')}`,
    );
  }
}
