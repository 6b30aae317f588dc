import { Firestore } from '@google-cloud/firestore';
import { randomBytes } from 'node:crypto';
import { FirestoreAgentDirectory } from '../../functions/adapters/firestore-agent-directory';
import { FirestoreConversationFeed } from '../../functions/adapters/firestore-conversation-feed';
import { FirestoreConversationStore } from '../../functions/adapters/firestore-conversation-store';
import type { FeedEvent } from '../../functions/ports/conversation-feed';
import { AgentDirectoryError } from '../../functions/ports/agent-directory';
import { DEV_AGENT, seedAgents, seedSampleAgents } from '../../functions/local/sample-agents';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { crowd, startPipeline, type Pipeline } from './pipeline';
import { aConversation } from '../support/conversations';

// The agent API's Firestore side on the emulator: claims as real transactions, the feed as
// real snapshot listeners, agents looked up by email.

// Concurrent transactions on one document can wait on the emulator's lock timeouts.
const CONTENTION_TIMEOUT_MS = 120_000;

describeWithEmulators('the agent API on the Firestore emulator', () => {
  const projectId = uniqueProjectId('agent-api');
  let db: Firestore;
  beforeAll(() => {
    db = new Firestore({ projectId });
  });
  afterAll(() => db.terminate());
  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

  describe('claims with the Firestore store', () => {
    let p: Pipeline;
    beforeAll(async () => {
      p = await startPipeline({
        store: new FirestoreConversationStore(db),
        agents: crowd(10),
      });
    });
    afterAll(() => p.close());

    it(
      'of 10 concurrent claims exactly one wins; the others get 409',
      async () => {
        const id = unique('race');
        await p.customer.asksForAgent(id);
        expect(await p.store.getConversation(id)).toMatchObject({ state: 'queued' });
        const names = Object.keys(crowd(10));
        const answers = await Promise.all(
          names.map((name) => p.as(name).post(`/conversations/${id}/claim`)),
        );
        expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array<number>(9).fill(409)]);
        const winner = answers.find((a) => a.status === 200)?.body as {
          conversation: { assignee: { agentId: string } };
        };
        const stored = await new FirestoreConversationStore(db).getConversation(id);
        expect(stored).toMatchObject({
          state: 'with_agent',
          assignee: { agentId: winner.conversation.assignee.agentId },
        });
        await p.settle();
        const joined = p.outbound(id).filter((c) => c.type === 'event');
        expect(joined).toHaveLength(1);
      },
      CONTENTION_TIMEOUT_MS,
    );

    it('another brand’s conversation is 404, a non-holder 403', async () => {
      const id = unique('authz');
      await p.customer.asksForAgent(id);
      await p.as('olga').get(`/conversations/${id}`).expect(404);
      await p.as('alex').post(`/conversations/${id}/claim`).expect(200);
      await p.as('sam').post(`/conversations/${id}/messages`, { text: 'hi' }).expect(403);
      await p.as('olga').post(`/conversations/${id}/release`).expect(404);
    });
  });

  describe('FirestoreConversationFeed', () => {
    it('sees the queue change with onSnapshot, and each notice once', async () => {
      const brand = unique('brand');
      const store = new FirestoreConversationStore(db);
      const feed = new FirestoreConversationFeed(db);
      const events: FeedEvent[] = [];
      const waiters: { test: () => boolean; resolve: () => void }[] = [];
      const until = (test: () => boolean) =>
        new Promise<void>((resolve) => {
          waiters.push({ test, resolve });
          if (test()) resolve();
        });
      const stop = feed.watch([brand], {
        event: (e) => {
          events.push(e);
          for (const w of waiters) if (w.test()) w.resolve();
        },
        error: (e) => {
          throw e;
        },
      });
      try {
        await until(() => events.some((e) => e.type === 'ready'));
        const id = unique('conv');
        const at = '2026-11-25T12:00:00.000Z';
        const conversation = aConversation({
          id,
          brandId: brand,
          agentId: 'a',
          agent: `brands/${brand}/agents/a`,
          state: 'queued',
          locale: 'en',
          lastUserMessageAt: at,
          createdAt: at,
          updatedAt: at,
        });
        await store.updateConversation(id, 'seed', () => conversation);
        await until(() =>
          events.some((e) => e.type === 'conversation.updated' && e.conversation.id === id),
        );
        const notice = {
          kind: 'customer.message' as const,
          key: 'r:req-1',
          conversationId: id,
          brandId: brand,
          // The customer's time may be older than the watch: what counts is when it was written.
          at: '2026-01-01T00:00:00.000Z',
          messageKind: 'text' as const,
          text: 'hello',
        };
        await feed.publish(notice);
        await feed.publish(notice);
        await store.updateConversation(id, 'close', (c) => ({
          ...(c ?? conversation),
          state: 'closed',
        }));
        await until(() => events.some((e) => e.type === 'conversation.removed'));
        expect(events.filter((e) => e.type === 'notice')).toEqual([{ type: 'notice', notice }]);
        expect(events.map((e) => e.type)).toEqual([
          'ready',
          'conversation.updated',
          'notice',
          'conversation.removed',
        ]);
      } finally {
        stop();
      }
    });
  });

  describe('FirestoreAgentDirectory', () => {
    it('finds agents by email, case-insensitively; refuses ambiguity', async () => {
      const collection = unique('agents');
      const directory = new FirestoreAgentDirectory(db, { collection, cacheTtlMs: 0 });
      await seedAgents(directory);
      await expect(directory.findByEmail('ALEX@velo-cafe.example')).resolves.toEqual(DEV_AGENT);
      await expect(directory.findByEmail('nobody@velo-cafe.example')).resolves.toBeUndefined();
      await directory.put({ ...DEV_AGENT, agentId: 'alex-twin' });
      await expect(directory.findByEmail('alex@velo-cafe.example')).rejects.toBeInstanceOf(
        AgentDirectoryError,
      );
    });

    it('the local stack’s seeder writes agents/{agentId}', async () => {
      await seedSampleAgents({
        firestoreHost: process.env.FIRESTORE_EMULATOR_HOST ?? '',
        projectId,
      });
      const doc = await db.collection('agents').doc('dev-alex').get();
      expect(doc.data()).toEqual({
        email: 'alex@velo-cafe.example',
        displayName: 'Alex (dev)',
        brandIds: ['velo-cafe'],
      });
    });
  });
});
