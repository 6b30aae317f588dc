/**
 * What the customer would see, as terminal lines: each message or event the Business Messages
 * API stand-in accepted, marked BOT or HUMAN, with its chips.
 */
export interface InspectedConversation {
  messages: { seq: number; messageId: string; body: MessageBody }[];
  events: {
    seq: number;
    eventId: string;
    body: { eventType: string; representative?: Representative };
  }[];
  surveys: { seq: number; surveyId: string }[];
  receipts: { seq: number; messageId: string }[];
}

interface Representative {
  representativeType?: string;
  displayName?: string;
}
interface Chip {
  reply?: { text?: string; postbackData?: string };
  action?: {
    text?: string;
    postbackData?: string;
    openUrlAction?: { url: string };
    dialAction?: { phoneNumber: string };
  };
  liveAgentRequest?: object;
  authenticationRequest?: object;
}
interface Card {
  title?: string;
  description?: string;
  suggestions?: Chip[];
}
interface MessageBody {
  representative?: Representative;
  text?: string;
  fallback?: string;
  image?: { contentInfo?: { fileUrl?: string } };
  richCard?: { standaloneCard?: { cardContent?: Card }; carouselCard?: { cardContents?: Card[] } };
  suggestions?: Chip[];
}

export interface TimelineItem {
  seq: number;
  lines: string[];
  /** For `--read`: the IDs of messages shown. */
  messageId?: string;
  /** Postbacks offered, so the interactive mode can tap them by number. */
  chips: { label: string; postbackData?: string; liveAgent?: boolean }[];
}

export function timeline(
  conversation: InspectedConversation,
  options: { showTyping?: boolean } = {},
): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const m of conversation.messages) {
    const who = speaker(m.body.representative);
    const lines: string[] = [];
    const chips: TimelineItem['chips'] = [];
    if (m.body.text !== undefined) lines.push(`${who}: ${m.body.text}`);
    if (m.body.image) lines.push(`${who}: [image] ${m.body.image.contentInfo?.fileUrl ?? ''}`);
    const cards = m.body.richCard?.standaloneCard?.cardContent
      ? [m.body.richCard.standaloneCard.cardContent]
      : (m.body.richCard?.carouselCard?.cardContents ?? []);
    if (cards.length > 0) {
      lines.push(`${who}: ${cards.length > 1 ? `[carousel of ${cards.length}]` : '[card]'}`);
      for (const card of cards) {
        lines.push(`    ┌ ${card.title ?? ''}${card.description ? ` — ${card.description}` : ''}`);
        const cardChips = (card.suggestions ?? []).map(chipOf);
        if (cardChips.length) lines.push(`    └ ${cardChips.map((c) => `[${c.label}]`).join(' ')}`);
        chips.push(...cardChips);
      }
    }
    const messageChips = (m.body.suggestions ?? []).map(chipOf);
    chips.push(...messageChips);
    if (messageChips.length) lines.push(`    ${messageChips.map((c) => `[${c.label}]`).join(' ')}`);
    items.push({ seq: m.seq, lines, messageId: m.messageId, chips });
  }
  for (const e of conversation.events) {
    const type = e.body.eventType;
    if (!options.showTyping && type.startsWith('TYPING_')) continue;
    const who = speaker(e.body.representative);
    const what: Record<string, string> = {
      REPRESENTATIVE_JOINED: 'joined the conversation',
      REPRESENTATIVE_LEFT: 'left the conversation',
      TYPING_STARTED: 'is typing…',
      TYPING_STOPPED: 'stopped typing',
    };
    items.push({ seq: e.seq, lines: [`· ${who} ${what[type] ?? type}`], chips: [] });
  }
  for (const s of conversation.surveys) {
    items.push({ seq: s.seq, lines: [`· survey sent (${s.surveyId})`], chips: [] });
  }
  return items.sort((a, b) => a.seq - b.seq);
}

function speaker(rep: Representative | undefined): string {
  const type = rep?.representativeType ?? 'BOT';
  return rep?.displayName ? `${type} ${rep.displayName}` : type;
}

function chipOf(chip: Chip): TimelineItem['chips'][number] {
  if (chip.liveAgentRequest) return { label: 'Talk to a person', liveAgent: true };
  if (chip.reply)
    return {
      label: chip.reply.text ?? '?',
      ...(chip.reply.postbackData ? { postbackData: chip.reply.postbackData } : {}),
    };
  if (chip.action) {
    const target = chip.action.openUrlAction?.url ?? chip.action.dialAction?.phoneNumber;
    return {
      label: `${chip.action.text ?? '?'}${target ? ` → ${target}` : ''}`,
      ...(chip.action.postbackData ? { postbackData: chip.action.postbackData } : {}),
    };
  }
  return { label: 'Sign in' };
}
