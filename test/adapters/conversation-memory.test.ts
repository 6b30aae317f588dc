import { Timestamp } from '@google-cloud/firestore';
import { ConversationMemory } from '../../functions/adapters/firestore-conversation-store';
import type { Conversation } from '../../functions/core/conversation';
import { aConversation } from '../support/conversations';

const conversation = (id: string, version: number): Conversation => aConversation({ id, version });
const at = (seconds: number) => new Timestamp(1_790_000_000 + seconds, 0);

describe('ConversationMemory (what the classifier’s store remembers)', () => {
  it('remembers versions and existence, the least recently written dropped first', () => {
    const memory = new ConversationMemory(2);
    memory.remember('a', { conversation: conversation('a', 1), updateTime: at(1) });
    memory.exists('b');
    expect(memory.recall('a')).toMatchObject({ conversation: { version: 1 } });
    expect(memory.recall('b')).toBe('exists');
    memory.remember('a', { conversation: conversation('a', 2), updateTime: at(2) }); // a is now the most recent
    memory.exists('c');
    expect(memory.recall('b')).toBeUndefined();
    expect(memory.recall('a')).toMatchObject({ conversation: { version: 2 } });
    expect(memory.recall('c')).toBe('exists');
    expect(memory.size).toBe(2);
  });

  it('a late commit of an older version does not replace a newer one', () => {
    const memory = new ConversationMemory(10);
    memory.remember('a', { conversation: conversation('a', 3), updateTime: at(3) });
    memory.remember('a', { conversation: conversation('a', 2), updateTime: at(2) });
    expect(memory.recall('a')).toMatchObject({ conversation: { version: 3 } });
    memory.forget('a');
    expect(memory.recall('a')).toBeUndefined();
  });

  it('mostly stale versions are not tried, but for a probe; fresh ones bring them back', () => {
    const memory = new ConversationMemory(10);
    memory.remember('a', { conversation: conversation('a', 1), updateTime: at(1) });
    for (let i = 0; i < 40; i++) memory.settle(false);
    const recalled = Array.from({ length: 32 }, () => memory.recall('a'));
    // Only every 16th recall tries the version; the rest read, as if nothing were remembered.
    expect(recalled.filter((r) => r !== 'exists')).toHaveLength(2);
    for (let i = 0; i < 40; i++) memory.settle(true);
    expect(memory.recall('a')).toMatchObject({ conversation: { version: 1 } });
  });
});
