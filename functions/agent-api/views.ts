import type {
  Assignee,
  Conversation,
  ConversationState,
  MessageLogEntry,
} from '../core/conversation';
import { queuedAtOf } from '../core/handoff';

/** A conversation as the agent API shows it: what a console needs, nothing internal. */
export interface ConversationView {
  id: string;
  brandId: string;
  /** The Business Messages agent, `brands/B/agents/A`. */
  agent: string;
  state: ConversationState;
  assignee: Assignee | null;
  locale: string | null;
  /** When its current stay in the queue began (queued conversations only). */
  queuedAt: string | null;
  /** When a claim, release or close last changed its state. */
  stateChangedAt: string | null;
  lastUserMessageAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export function conversationView(c: Conversation): ConversationView {
  return {
    id: c.id,
    brandId: c.brandId,
    agent: c.agent,
    state: c.state,
    assignee: c.assignee,
    locale: c.locale,
    queuedAt: c.state === 'queued' ? queuedAtOf(c) : null,
    stateChangedAt: c.stateChangedAt,
    lastUserMessageAt: c.lastUserMessageAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    version: c.version,
  };
}

export type MessageView =
  | {
      direction: 'inbound';
      key: string;
      kind: string;
      at: string;
      messageId?: string;
      text?: string;
      imageUrl?: string;
      postbackData?: string;
    }
  | {
      direction: 'outbound';
      key: string;
      kind?: string;
      status: string;
      at: string;
      representativeType?: 'BOT' | 'HUMAN';
      text?: string;
    };

/** The log as agents read it, oldest first: the customer's events and our sends, not receipts. */
export function messageViews(entries: readonly MessageLogEntry[]): MessageView[] {
  return entries.flatMap((e): MessageView[] => {
    if (e.direction === 'inbound') {
      return [
        definedOnly({
          direction: 'inbound' as const,
          key: e.key,
          kind: e.kind,
          at: e.at,
          messageId: e.messageId,
          text: e.text,
          imageUrl: e.imageUrl,
          postbackData: e.postbackData,
        }),
      ];
    }
    if (e.kind === 'receipt') return [];
    return [
      definedOnly({
        direction: 'outbound' as const,
        key: e.key,
        kind: e.kind,
        status: e.status,
        at: e.at,
        representativeType: e.representativeType,
        text: e.text,
      }),
    ];
  });
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
