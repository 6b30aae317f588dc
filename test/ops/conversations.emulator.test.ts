import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { randomBytes } from 'node:crypto';
import { FirestoreBrandDirectory } from '../../functions/adapters/firestore-brand-directory';
import { FirestoreConversationFeed } from '../../functions/adapters/firestore-conversation-feed';
import { FirestoreConversationStore } from '../../functions/adapters/firestore-conversation-store';
import { PubSubEventBus } from '../../functions/adapters/pubsub-event-bus';
import { makeClassifierHandler } from '../../functions/classifier/handler';
import type { InboundEvent } from '../../functions/core/inbound-event';
import { transition } from '../../functions/core/state-machine';
import { sha256Digest } from '../../functions/platform/digest';
import { LogCapture } from '../support/log-capture';
import { toPubSubCloudEvent } from '../../functions/platform/pubsub-cloud-event';
import { reject } from '../../functions/ports/conversation-store';
import { TOPICS, type Topic } from '../../functions/ports/event-bus';
import { inboundMessage } from '../../functions/webhook/handler';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { inboundEvent, webhookBody, type BodyOptions } from '../support/inbound-events';
import type { FixtureName } from '../fixtures/webhook-events';
import { cli, emulatorEnv, jsonOf } from './cli-harness';

const topicIds = Object.fromEntries(TOPICS.map((t) => [t, t])) as Record<Topic, string>;

describeWithEmulators('bm-ops conversations: show, export, erase', () => {
  const projectId = uniqueProjectId('ops-conv');
  const env = emulatorEnv(projectId);
  let db: Firestore;
  let store: FirestoreConversationStore;
  let bus: PubSubEventBus;
  let admin: PubSub;
  const id = `conv-${randomBytes(4).toString('hex')}`;
  const body = (name: FixtureName, options: BodyOptions = {}) =>
    webhookBody(name, { conversationId: id, ...options });
  const apply = (event: InboundEvent) =>
    store.applyInbound(event, (current) =>
      transition(current, event, new Date(), { missThreshold: 2 }),
    );

  beforeAll(async () => {
    db = new Firestore({ projectId });
    admin = new PubSub({ projectId });
    for (const t of TOPICS) await admin.createTopic(t);
    bus = new PubSubEventBus(new PubSub({ projectId }), { topicIds });
    store = new FirestoreConversationStore(db);
    await apply(inboundEvent(body('text')));
    await store.recordOutbound(id, {
      id: 'bot-1',
      kind: 'message',
      status: 'SENT',
      at: new Date('2026-11-25T10:15:32.000Z'),
      representativeType: 'BOT',
      text: 'We open at 9 on Sundays.',
      causedBy: 'r:x',
    });
    await apply(inboundEvent(body('liveAgentRequest')));
    await apply(inboundEvent(body('typing')));
    await store.updateConversation(id, 'claim-1', (c) =>
      c
        ? { ...c, state: 'with_agent', assignee: { agentId: 'sam', displayName: 'Sam' } }
        : reject('x', 'x'),
    );
    await new FirestoreConversationFeed(db).publish({
      kind: 'customer.message',
      key: 'r:notice',
      conversationId: id,
      brandId: 'velo-cafe',
      at: '2026-11-25T10:18:59.000Z',
      messageKind: 'text',
      text: 'Hello, are you open on Sunday?',
    });
  });
  afterAll(async () => {
    await bus.close();
    await admin.close();
    await db.terminate();
  });

  it('show: state and transcript as a person reads them', async () => {
    const run = await cli(['conversations', 'show', id], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/state:\s+with_agent/);
    expect(run.stdout).toMatch(/assignee:\s+Sam \(sam\)/);
    expect(run.stdout).toMatch(
      /CUSTOMER\s+Hello, are you open on Sunday\?\s+automation \(default\)/,
    );
    expect(run.stdout).toMatch(/BOT\s+We open at 9 on Sundays\.\s+SENT/);
    expect(run.stdout).toMatch(/CUSTOMER\s+\(liveAgentRequest\)\s+live-agent/);
  });

  it('export: everything stored about it, as JSON', async () => {
    const run = await cli(['conversations', 'export', id], env);
    expect(run.code).toBe(0);
    const exported = JSON.parse(run.stdout) as Record<string, unknown[]> & {
      conversation: unknown;
      erasedAt: unknown;
    };
    expect(exported).toMatchObject({
      conversationId: id,
      conversation: { id, state: 'with_agent' },
      erasedAt: null,
    });
    expect(exported.messages).toHaveLength(3);
    expect(exported.markers).toHaveLength(2); // the typing event, the claim
    expect(exported.notices).toEqual([
      expect.objectContaining({ key: 'r:notice', text: 'Hello, are you open on Sunday?' }),
    ]);
  });

  it('unknown IDs: a clear error, and erase changes nothing', async () => {
    for (const verb of ['show', 'export', 'erase']) {
      const run = await cli(
        ['conversations', verb, 'no-such-conversation', '--yes'].slice(0, verb === 'erase' ? 4 : 3),
        env,
      );
      expect(run).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('no conversation no-such-conversation is stored'),
      });
    }
    expect((await db.doc('erasures/no-such-conversation').get()).exists).toBe(false);
  });

  it('erase: a dry run and a refusal change nothing', async () => {
    const dry = await cli(['conversations', 'erase', id, '--dry-run', '--json'], env);
    expect(jsonOf(dry)).toEqual({
      conversationId: id,
      erased: false,
      found: { conversation: 1, messages: 3, markers: 2, notices: 1 },
    });
    const refused = await cli(['conversations', 'erase', id], env, 'no\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`erase conversation ${id} for good? [y/N]`);
    expect((await db.doc(`conversations/${id}`).get()).exists).toBe(true);
  });

  it('erase: everything keyed by it goes, a content-free tombstone stays, and an old event delivered again stays dropped', async () => {
    const run = await cli(['conversations', 'erase', id, '--yes', '--json'], env);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({
      erased: true,
      removed: { conversation: true, deleted: { messages: 3, processed: 2 }, notices: 1 },
    });
    expect((await db.doc(`conversations/${id}`).get()).exists).toBe(false);
    expect((await db.collection(`conversations/${id}/messages`).get()).size).toBe(0);
    expect((await db.collection(`conversations/${id}/processed`).get()).size).toBe(0);
    expect(
      (await db.collection('agentFeed/velo-cafe/notices').where('conversationId', '==', id).get())
        .size,
    ).toBe(0);
    const tombstone = (await db.doc(`erasures/${id}`).get()).data();
    expect(Object.keys(tombstone ?? {})).toEqual(['erasedAt']);

    // Google redelivers the first message: the real classifier, on the real store, drops it.
    const logs: string[] = [];
    const classifier = makeClassifierHandler({
      store,
      brands: new FirestoreBrandDirectory(db),
      bus,
      log: new LogCapture(logs).logger('classifier', { project: projectId }),
      now: () => new Date(),
      digest: sha256Digest,
    });
    const raw = Buffer.from(JSON.stringify(body('text')));
    const message = inboundMessage(inboundEvent(body('text')), raw, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      receivedAt: '2026-11-25T10:15:31.000Z',
    });
    const outcome = await classifier(
      toPubSubCloudEvent(`projects/${projectId}/topics/inbound`, {
        id: '1',
        data: raw,
        attributes: message.attributes,
        publishTime: new Date().toISOString(),
        orderingKey: id,
      }),
    );
    expect(outcome).toEqual({ status: 'not-routed', reason: 'erased', duplicate: true });
    expect(logs.join('\n')).toContain('event_dropped_erased');
    expect(logs.join('\n')).not.toContain('Hello, are you open on Sunday?');
    expect((await db.doc(`conversations/${id}`).get()).exists).toBe(false);
    expect((await db.collection(`conversations/${id}/messages`).get()).size).toBe(0);

    const shown = await cli(['conversations', 'show', id], env);
    expect(shown).toMatchObject({ code: 1, stderr: expect.stringContaining('it was erased at') });
  });
});
