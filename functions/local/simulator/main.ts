import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { issueLines } from '../../core/validation-problems';
import { signBody } from '../../webhook/signature';
import { customerEvent, type CustomerAction, type CustomerContext } from './customer-events';
import { timeline, type InspectedConversation, type TimelineItem } from './render';

const USAGE = `npm run simulate -- [options] [text]

Plays a customer: signs a Business Messages webhook event like Google, posts it to the webhook,
and prints what reaches the customer (the BM API stand-in), marked BOT or HUMAN, with chips.
Without text or an action it starts an interactive session.

  --conversation ID   continue a conversation (default: a new one)
  --locale L          the customer's locale, e.g. en, fr, fr-CA (default en)
  --entry-point E     PLACESHEET, MAPS, URL, … (default PLACESHEET)
  --place ID          the Google Place ID the conversation started from
  --name NAME         the customer's display name
  --tap POSTBACK      tap a suggestion chip with this postback data
  --live-agent        tap "talk to a person" (userStatus.requestedLiveAgent)
  --typing on|off     send a typing status
  --read              send READ receipts for every reply shown so far
  --wait MS           how long to wait for replies (default 10000)
  --show-typing       also print typing events
  --webhook URL       default http://127.0.0.1:8080/
  --standin URL       default http://127.0.0.1:8082/
  --key KEY           signing key (default dev-partner-key)
  --agent NAME        default brands/velo-cafe/agents/velo-cafe-agent

Interactive commands: text to send, /tap N (the Nth chip shown), /human, /typing, /read, /quit`;

const Options = z.object({
  conversation: z
    .string()
    .min(1)
    .default(() => randomUUID()),
  locale: z.string().min(2).default('en'),
  'entry-point': z.string().default('PLACESHEET'),
  place: z.string().optional(),
  name: z.string().optional(),
  tap: z.string().optional(),
  'live-agent': z.boolean().default(false),
  typing: z.enum(['on', 'off']).optional(),
  read: z.boolean().default(false),
  wait: z.coerce.number().int().min(0).max(600_000).default(10_000),
  'show-typing': z.boolean().default(false),
  webhook: z.url().default('http://127.0.0.1:8080/'),
  standin: z.url().default('http://127.0.0.1:8082/'),
  key: z.string().min(1).default('dev-partner-key'),
  agent: z
    .string()
    .regex(/^brands\/[^/]+\/agents\/[^/]+$/)
    .default('brands/velo-cafe/agents/velo-cafe-agent'),
  help: z.boolean().default(false),
});
type Options = z.infer<typeof Options>;

const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

class Session {
  private shownSeq = 0;
  private shownMessages: string[] = [];
  chips: TimelineItem['chips'] = [];

  constructor(
    private readonly options: Options,
    private readonly who: CustomerContext,
  ) {}

  async start(): Promise<void> {
    // A continued conversation prints only what is new.
    const before = await this.inspect();
    this.shownSeq = Math.max(0, ...timeline(before, { showTyping: true }).map((i) => i.seq));
  }

  async act(action: CustomerAction): Promise<void> {
    const body = JSON.stringify(
      customerEvent(
        this.who,
        action,
        { requestId: randomUUID(), messageId: randomUUID() },
        new Date(),
      ),
    );
    const res = await fetch(this.options.webhook, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-goog-signature': signBody(body, this.options.key),
      },
      body,
    });
    const answer = await res.text();
    print(`→ ${describe(action)}  (webhook ${res.status}${res.ok ? '' : `: ${answer}`})`);
    if (!res.ok) return;
    await this.showReplies(
      action.type === 'typing' || action.type === 'read' ? 1500 : this.options.wait,
    );
  }

  async readAll(): Promise<void> {
    if (this.shownMessages.length === 0) return print('(no replies to mark as read)');
    await this.act({ type: 'read', messageIds: [...this.shownMessages] });
  }

  /** Prints items as they arrive; stops after a quiet spell once something came, or at the deadline. */
  private async showReplies(waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    let sawSomething = false;
    while (Date.now() < deadline) {
      const quietMs = sawSomething ? 1500 : deadline - Date.now();
      const known = await this.countAll();
      const conversation = await this.inspect(
        known + 1,
        Math.max(1, Math.min(quietMs, deadline - Date.now())),
      );
      const fresh = timeline(conversation, { showTyping: this.options['show-typing'] }).filter(
        (i) => i.seq > this.shownSeq,
      );
      const newest = Math.max(this.shownSeq, ...allSeqs(conversation));
      if (newest === this.shownSeq) {
        if (sawSomething) return;
        continue;
      }
      this.shownSeq = newest;
      for (const item of fresh) {
        sawSomething = true;
        item.lines.forEach((l) => print(`  ${l}`));
        if (item.messageId) this.shownMessages.push(item.messageId);
        if (item.chips.length) this.chips = item.chips;
      }
    }
    if (!sawSomething) print('  (no reply yet)');
  }

  private async countAll(): Promise<number> {
    return allSeqs(await this.inspect()).length;
  }

  private async inspect(waitFor?: number, timeoutMs?: number): Promise<InspectedConversation> {
    const url = new URL(
      `_inspect/conversations/${encodeURIComponent(this.who.conversationId)}`,
      this.options.standin,
    );
    if (waitFor !== undefined) {
      url.searchParams.set('waitFor', String(waitFor));
      url.searchParams.set('timeoutMs', String(Math.round(timeoutMs ?? 0)));
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`stand-in answered ${res.status} at ${url.toString()}`);
    return (await res.json()) as InspectedConversation;
  }
}

const allSeqs = (c: InspectedConversation) =>
  [...c.messages, ...c.events, ...c.surveys, ...c.receipts].map((i) => i.seq);

function describe(action: CustomerAction): string {
  switch (action.type) {
    case 'text':
      return `you: ${action.text}`;
    case 'tap':
      return `you tapped ${action.text ?? action.postbackData}`;
    case 'live-agent':
      return 'you asked for a person';
    case 'typing':
      return action.isTyping ? 'you are typing' : 'you stopped typing';
    case 'read':
      return `you read ${action.messageIds.length} message(s)`;
  }
}

async function interactive(session: Session): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  print('Type a message, or /tap N, /human, /typing, /read, /quit.');
  for (;;) {
    let line: string;
    try {
      line = (await rl.question('> ')).trim();
    } catch {
      break; // stdin closed
    }
    if (line === '') continue;
    if (line === '/quit' || line === '/exit') break;
    if (line === '/human') await session.act({ type: 'live-agent' });
    else if (line === '/typing') await session.act({ type: 'typing', isTyping: true });
    else if (line === '/read') await session.readAll();
    else if (line.startsWith('/tap')) {
      const n = Number(line.slice(4).trim());
      const chip = session.chips[n - 1];
      if (!chip)
        print(
          `  no chip ${n}: ${session.chips.map((c, i) => `${i + 1}=${c.label}`).join(', ') || 'none shown'}`,
        );
      else if (chip.liveAgent) await session.act({ type: 'live-agent' });
      else if (chip.postbackData)
        await session.act({ type: 'tap', postbackData: chip.postbackData, text: chip.label });
      else print('  that chip opens a link or dials; nothing to send');
    } else await session.act({ type: 'text', text: line });
  }
  rl.close();
}

/** A usage mistake: told with the usage and exit code 2, never as a connection problem. */
class UsageError extends Error {}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        conversation: { type: 'string' },
        locale: { type: 'string' },
        'entry-point': { type: 'string' },
        place: { type: 'string' },
        name: { type: 'string' },
        tap: { type: 'string' },
        'live-agent': { type: 'boolean' },
        typing: { type: 'string' },
        read: { type: 'boolean' },
        wait: { type: 'string' },
        'show-typing': { type: 'boolean' },
        webhook: { type: 'string' },
        standin: { type: 'string' },
        key: { type: 'string' },
        agent: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // parseArgs' own words ("Unknown option '--bogus'…") name the mistake.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseCommandLine();
  const parsed = Options.safeParse(values);
  if (!parsed.success) {
    print(issueLines(parsed.error, { pathPrefix: '--', root: null }).join('\n'));
    print(USAGE);
    process.exit(2);
  }
  const options = parsed.data;
  if (options.help) return print(USAGE);
  const who: CustomerContext = {
    conversationId: options.conversation,
    agent: options.agent,
    locale: options.locale,
    entryPoint: options['entry-point'],
    ...(options.place ? { placeId: options.place } : {}),
    ...(options.name ? { displayName: options.name } : {}),
  };
  print(`conversation ${who.conversationId} (${who.locale}, ${who.entryPoint})`);
  const session = new Session(options, who);
  await session.start();

  const text = positionals.join(' ').trim();
  const actions: CustomerAction[] = [];
  if (options.typing) actions.push({ type: 'typing', isTyping: options.typing === 'on' });
  if (text) actions.push({ type: 'text', text });
  if (options.tap) actions.push({ type: 'tap', postbackData: options.tap });
  if (options['live-agent']) actions.push({ type: 'live-agent' });
  if (actions.length === 0 && !options.read) return interactive(session);
  for (const action of actions) await session.act(action);
  if (options.read) await session.readAll();
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    print(`simulate: ${error.message}`);
    print(USAGE);
    process.exit(2);
  }
  const cause =
    error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  print(`simulate: ${error instanceof Error ? error.message : String(error)}${cause}`);
  print('Is the stack running? Start it with `npm start`.');
  process.exit(1);
});
