import { InMemoryConversationStore } from '../../functions/adapters/in-memory-conversation-store';
import { conversationStoreContract } from './conversation-store.contract';

describe('InMemoryConversationStore: the conversation store contract', () => {
  conversationStoreContract(async (clock) => ({
    store: new InMemoryConversationStore({ now: clock.now }),
    close: async () => {},
  }));
});
