import { assigneeOf, servesBrand, type AgentRecord } from './agent-record';
import type { Assignee, Conversation, ConversationState } from './conversation';
import { queueKeyOf } from './queue-notice';

/**
 * The live agent's operations on a conversation (claim, release, close) as pure updates of the
 * stored conversation, each refusing what the agent may not do; and the queue's own way back to
 * the bot. The store runs one update at a time, so concurrent requests are decided in turn.
 */

export type HandoffRefusalCode = 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT' | 'ALREADY_DONE';

/** Why an operation is refused; the shape of the store's `Rejection`. */
export interface HandoffRefusal {
  rejected: true;
  code: HandoffRefusalCode;
  message: string;
}

const refuse = (code: HandoffRefusalCode, message: string): HandoffRefusal => ({
  rejected: true,
  code,
  message,
});

export const isHandoffRefusal = (value: unknown): value is HandoffRefusal =>
  typeof value === 'object' && value !== null && (value as HandoffRefusal).rejected === true;

/** Another brand's conversation is "not found": its existence is not revealed. */
const notFound = () => refuse('NOT_FOUND', 'conversation not found');

/** Whether `agent` may see the conversation at all. */
export const canSee = (agent: AgentRecord, conversation: Conversation | null): boolean =>
  conversation !== null && servesBrand(agent, conversation.brandId);

const holds = (agent: AgentRecord, conversation: Conversation): boolean =>
  conversation.state === 'with_agent' && conversation.assignee?.agentId === agent.agentId;

/** The assignment's name in refusals: agents of one brand may know who holds a conversation. */
const holder = (assignee: Assignee | null): string => assignee?.displayName ?? 'another agent';

/**
 * Claims a queued conversation. Of concurrent claims the store runs one after the other, so the
 * first turns it `with_agent` and every later one is refused (CONFLICT); the holder's own
 * repeated claim is `ALREADY_DONE`.
 */
export function claimConversation(
  current: Conversation | null,
  agent: AgentRecord,
): Conversation | HandoffRefusal {
  if (current === null || !canSee(agent, current)) return notFound();
  if (holds(agent, current)) return refuse('ALREADY_DONE', 'you already hold this conversation');
  if (current.state === 'with_agent') {
    return refuse('CONFLICT', `${holder(current.assignee)} already holds this conversation`);
  }
  if (current.state !== 'queued') {
    return refuse('CONFLICT', `the conversation is ${current.state}, not waiting for an agent`);
  }
  return { ...current, state: 'with_agent', assignee: assigneeOf(agent), botMisses: 0 };
}

/**
 * What the agent's operation was decided on: it applies only if the conversation is still in
 * that state since that moment, so a stale request never undoes a newer change.
 */
export interface Seen {
  state: ConversationState;
  stateChangedAt: string | null;
}

export const seenOf = (c: Conversation): Seen => ({
  state: c.state,
  stateChangedAt: c.stateChangedAt,
});

const unchanged = (c: Conversation, seen: Seen): boolean =>
  c.state === seen.state && c.stateChangedAt === seen.stateChangedAt;

/** May `agent` release the conversation (LEFT, back to the bot)? Undefined when so. */
export function releaseRefusal(
  current: Conversation | null,
  agent: AgentRecord,
): HandoffRefusal | undefined {
  if (current === null || !canSee(agent, current)) return notFound();
  if (current.state !== 'with_agent') {
    return refuse('CONFLICT', `the conversation is ${current.state}: no agent holds it`);
  }
  if (!holds(agent, current)) {
    return refuse('FORBIDDEN', `${holder(current.assignee)} holds this conversation`);
  }
  return undefined;
}

/** The release: back to the bot, assignee cleared, the bot's misses counted afresh. */
export function releaseConversation(
  current: Conversation | null,
  agent: AgentRecord,
  seen: Seen,
): Conversation | HandoffRefusal {
  const refusal = releaseRefusal(current, agent);
  if (refusal || current === null) return refusal ?? notFound();
  if (!unchanged(current, seen)) return refuse('CONFLICT', 'the conversation changed meanwhile');
  return { ...current, state: 'bot', assignee: null, botMisses: 0 };
}

/**
 * May `agent` close the conversation? Any agent of the brand may close one no human holds (a
 * queued one, say); a held one only its holder. Closing a closed one is `ALREADY_DONE`.
 */
export function closeRefusal(
  current: Conversation | null,
  agent: AgentRecord,
): HandoffRefusal | undefined {
  if (current === null || !canSee(agent, current)) return notFound();
  if (current.state === 'closed') return refuse('ALREADY_DONE', 'the conversation is closed');
  if (current.state === 'with_agent' && !holds(agent, current)) {
    return refuse('FORBIDDEN', `${holder(current.assignee)} holds this conversation`);
  }
  return undefined;
}

export function closeConversation(
  current: Conversation | null,
  agent: AgentRecord,
  seen: Seen,
): Conversation | HandoffRefusal {
  const refusal = closeRefusal(current, agent);
  if (refusal || current === null) return refusal ?? notFound();
  if (!unchanged(current, seen)) return refuse('CONFLICT', 'the conversation changed meanwhile');
  return { ...current, state: 'closed', assignee: null };
}

/**
 * Outside human hours, for brands that want it: the queued conversation goes back to the bot.
 * Only the stay in the queue that was announced (`queueKey`): a later one is left alone.
 */
export function returnToBot(
  current: Conversation | null,
  queueKey: string,
): Conversation | HandoffRefusal {
  if (current === null) return notFound();
  if (current.state !== 'queued' || queueKeyOf(current) !== queueKey) {
    return refuse('ALREADY_DONE', 'the conversation left the queue meanwhile');
  }
  return { ...current, state: 'bot', assignee: null, botMisses: 0 };
}
