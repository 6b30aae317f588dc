import type { Conversation } from '../../functions/core/conversation';

/**
 * A conversation as the store keeps one: Vélo Café's, in the bot's hands, nothing happened yet.
 * Tests name only what matters to them.
 */
export function aConversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 'c-1',
    brandId: 'velo-cafe',
    agentId: 'velo-cafe-agent',
    agent: 'brands/velo-cafe/agents/velo-cafe-agent',
    state: 'bot',
    assignee: null,
    locale: null,
    origin: {},
    contextAt: null,
    lastUserMessageAt: null,
    botMisses: 0,
    recentBotOutcomes: [],
    surveyAnswers: [],
    stateChangedAt: null,
    queuedAt: null,
    handoffReason: null,
    customerName: null,
    lastMessage: null,
    createdAt: '2026-11-25T12:00:00.000Z',
    updatedAt: '2026-11-25T12:00:00.000Z',
    version: 0,
    ...overrides,
  };
}
