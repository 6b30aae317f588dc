/**
 * Webhook bodies exactly as Google sends them (`UserMessage`), for the simulator, tests and
 * benchmarks: one customer action → one event, with the context Google attaches.
 */
export interface CustomerContext {
  conversationId: string;
  agent: string;
  locale?: string;
  entryPoint?: string;
  placeId?: string;
  displayName?: string;
}

export type CustomerAction =
  | { type: 'text'; text: string }
  | { type: 'tap'; postbackData: string; text?: string; inReplyTo?: string }
  | { type: 'live-agent' }
  | { type: 'typing'; isTyping: boolean }
  | { type: 'read'; messageIds: string[] };

export interface EventIds {
  requestId: string;
  messageId: string;
}

export function customerEvent(
  who: CustomerContext,
  action: CustomerAction,
  ids: EventIds,
  now: Date,
): Record<string, unknown> {
  const at = now.toISOString();
  const conversation = `conversations/${who.conversationId}`;
  const context = {
    entryPoint: who.entryPoint ?? 'PLACESHEET',
    ...(who.placeId ? { placeId: who.placeId } : {}),
    ...(who.locale ? { resolvedLocale: who.locale.split('-')[0] } : {}),
    userInfo: {
      displayName: who.displayName ?? 'Sam Customer',
      ...(who.locale ? { userDeviceLocale: who.locale } : {}),
    },
  };
  const base = {
    agent: who.agent,
    conversationId: who.conversationId,
    customAgentId: 'simulator',
    sendTime: at,
  };
  switch (action.type) {
    case 'text':
      return {
        ...base,
        requestId: ids.requestId,
        message: {
          messageId: ids.messageId,
          name: `${conversation}/messages/${ids.messageId}`,
          text: action.text,
          createTime: at,
        },
        context,
      };
    case 'tap':
      return {
        ...base,
        requestId: ids.requestId,
        suggestionResponse: {
          ...(action.inReplyTo ? { message: `${conversation}/messages/${action.inReplyTo}` } : {}),
          postbackData: action.postbackData,
          createTime: at,
          text: action.text ?? action.postbackData,
          type: 'REPLY',
        },
        context,
      };
    case 'live-agent':
      return {
        ...base,
        requestId: ids.requestId,
        userStatus: { requestedLiveAgent: true, createTime: at },
        context,
      };
    case 'typing':
      return {
        ...base,
        requestId: ids.requestId,
        userStatus: { isTyping: action.isTyping, createTime: at },
      };
    case 'read':
      // Google's receipts carry no requestId and no context.
      return {
        ...base,
        receipts: {
          receipts: action.messageIds.map((id) => ({
            message: `${conversation}/messages/${id}`,
            receiptType: 'READ',
          })),
          createTime: at,
        },
      };
  }
}
