import type { Seen } from './agent-operations';
import { assigneeOf, humanRepresentative, type AgentRecord } from './agent-record';
import { Message, type Suggestion } from './business-messages-api';
import type { Conversation, MessageLogEntry } from './conversation';
import { derivedId } from './deterministic-ids';
import { PermanentFailure } from './failure';
import type { Digest } from './inbound-event';
import type {
  SendEventCommand,
  SendMessageCommand,
  SendReceiptCommand,
  SendSurveyCommand,
} from './outbound-command';
import { describeIssues } from './validation-problems';

/**
 * What the customer receives because of a live agent's operation or message: JOINED and LEFT,
 * the agent's messages and typing, the survey of a close, READ receipts. Every ID is derived
 * from what caused it, so a retried request publishes the same IDs and the sender's
 * ALREADY_EXISTS makes it land once.
 */

interface CommandContext {
  /** What caused the send, e.g. `agent-api:claim:alex`. */
  causedBy: string;
  createdAt: string;
  digest: Digest;
}

const commonOf = (conversation: Conversation, ctx: CommandContext) => ({
  conversationId: conversation.id,
  brandId: conversation.brandId,
  agent: conversation.agent,
  causedBy: ctx.causedBy,
  createdAt: ctx.createdAt,
});

/**
 * The seed of one assignment's JOINED and LEFT: the conversation and when it was claimed
 * (`stateChangedAt` stays put while it is `with_agent`).
 */
const assignmentSeed = (c: Conversation): string =>
  `assignment:${c.id}:${c.stateChangedAt ?? c.createdAt}`;

function representativeEvent(
  conversation: Conversation,
  eventType: 'REPRESENTATIVE_JOINED' | 'REPRESENTATIVE_LEFT',
  ctx: CommandContext,
): SendEventCommand {
  const assignee = conversation.assignee;
  if (conversation.state !== 'with_agent' || assignee === null) {
    // The same conversation would be refused on every retry: permanent, never retried.
    throw new PermanentFailure(`${eventType} needs a conversation held by an agent`);
  }
  const suffix = eventType === 'REPRESENTATIVE_JOINED' ? 'joined' : 'left';
  return {
    type: 'event',
    ...commonOf(conversation, ctx),
    eventId: derivedId('agent-api', assignmentSeed(conversation), suffix, ctx.digest),
    event: { eventType, representative: humanRepresentative(assignee) },
  };
}

/** REPRESENTATIVE_JOINED of the conversation's current assignment (it is `with_agent`). */
export const joinedCommand = (conversation: Conversation, ctx: CommandContext) =>
  representativeEvent(conversation, 'REPRESENTATIVE_JOINED', ctx);

/** REPRESENTATIVE_LEFT of the conversation's current assignment (before it ends). */
export const leftCommand = (conversation: Conversation, ctx: CommandContext) =>
  representativeEvent(conversation, 'REPRESENTATIVE_LEFT', ctx);

export interface HumanMessageInput {
  text: string;
  suggestions?: Suggestion[];
  /** What makes this send this send: the same key, the same message ID. */
  idempotencyKey: string;
}

export type HumanMessageResult =
  { ok: true; command: SendMessageCommand } | { ok: false; problems: string };

/** A live agent's message, checked against the Business Messages limits. */
export function humanMessageCommand(
  conversation: Conversation,
  agent: AgentRecord,
  input: HumanMessageInput,
  ctx: CommandContext,
): HumanMessageResult {
  const messageId = derivedId(
    'agent-api',
    `message:${conversation.id}:${agent.agentId}:${input.idempotencyKey}`,
    'h',
    ctx.digest,
  );
  const checked = Message.safeParse({
    messageId,
    representative: humanRepresentative(assigneeOf(agent)),
    text: input.text,
    ...(input.suggestions !== undefined ? { suggestions: input.suggestions } : {}),
  });
  if (!checked.success) return { ok: false, problems: describeIssues(checked.error) };
  return {
    ok: true,
    command: { type: 'message', ...commonOf(conversation, ctx), message: checked.data },
  };
}

/** TYPING_STARTED/STOPPED from the agent; `key` tells one indicator from the next. */
export function typingCommand(
  conversation: Conversation,
  agent: AgentRecord,
  isTyping: boolean,
  key: string,
  ctx: CommandContext,
): SendEventCommand {
  const eventType = isTyping ? 'TYPING_STARTED' : 'TYPING_STOPPED';
  return {
    type: 'event',
    ...commonOf(conversation, ctx),
    eventId: derivedId(
      'agent-api',
      `typing:${conversation.id}:${agent.agentId}:${eventType}:${key}`,
      isTyping ? 'ts' : 'te',
      ctx.digest,
    ),
    event: { eventType, representative: humanRepresentative(assigneeOf(agent)) },
  };
}

/** The survey of a close: one per closing of the conversation (`seen` before it). */
export function surveyCommand(
  conversation: Conversation,
  seen: Seen,
  ctx: CommandContext,
): SendSurveyCommand {
  return {
    type: 'survey',
    ...commonOf(conversation, ctx),
    surveyId: derivedId(
      'agent-api',
      `close:${conversation.id}:${seen.state}:${seen.stateChangedAt ?? 'never'}`,
      'survey',
      ctx.digest,
    ),
  };
}

/** The receipt's key in the message log (the sender records it under `receipt-<messageId>`). */
export const receiptLogKey = (messageId: string): string => `receipt-${messageId}`;

/**
 * READ receipts for the customer's messages in `entries` not yet marked read: those without a
 * recorded receipt. (A receipt published but not yet recorded is published again: the API's
 * update is idempotent.)
 */
export function readReceiptCommands(
  conversation: Conversation,
  entries: readonly MessageLogEntry[],
  ctx: Omit<CommandContext, 'digest'>,
): SendReceiptCommand[] {
  const recorded = new Set(entries.filter((e) => e.direction === 'outbound').map((e) => e.key));
  const unread = entries.flatMap((e) =>
    e.direction === 'inbound' &&
    e.messageId !== undefined &&
    !recorded.has(receiptLogKey(e.messageId))
      ? [e.messageId]
      : [],
  );
  return [...new Set(unread)].map((messageId) => ({
    type: 'receipt',
    conversationId: conversation.id,
    brandId: conversation.brandId,
    agent: conversation.agent,
    causedBy: ctx.causedBy,
    createdAt: ctx.createdAt,
    messageId,
    receiptType: 'READ',
  }));
}
