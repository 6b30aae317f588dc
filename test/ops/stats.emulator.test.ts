import { Firestore } from '@google-cloud/firestore';
import { randomBytes } from 'node:crypto';
import { FirestoreConversationStore } from '../../functions/adapters/firestore-conversation-store';
import type { InboundEvent } from '../../functions/core/inbound-event';
import { transition } from '../../functions/core/state-machine';
import type { BrandStats } from '../../functions/ops/stats';
import { reject } from '../../functions/ports/conversation-store';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { eventOf } from '../support/inbound-events';
import { cli, emulatorEnv, jsonOf } from './cli-harness';
import { velo } from './sample-brand';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describeWithEmulators('bm-ops stats from what Firestore holds', () => {
  const projectId = uniqueProjectId('ops-stats');
  const env = emulatorEnv(projectId);
  let db: Firestore;
  const unique = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
  const iso = (ms: number) => new Date(ms).toISOString();

  /** Applies an event as the classifier would, at `at` on the store's clock. */
  const apply = (event: InboundEvent, at: Date) =>
    new FirestoreConversationStore(db, { now: () => at }).applyInbound(event, (current) =>
      transition(current, event, at, { missThreshold: 2 }),
    );
  const send = (
    id: string,
    key: string,
    at: number,
    who: 'BOT' | 'HUMAN',
    kind: 'message' | 'event' = 'message',
  ) =>
    new FirestoreConversationStore(db).recordOutbound(id, {
      id: key,
      kind,
      status: 'SENT',
      at: new Date(at),
      representativeType: who,
      ...(kind === 'message' ? { text: `${who} says hi` } : {}),
      causedBy: 'r:x',
    });

  beforeAll(async () => {
    db = new Firestore({ projectId });
    await db.doc('brands/velo-cafe').set(velo());
    const now = Date.now();

    // A: the bot alone, two hours ago.
    const a = unique('bot-alone');
    await apply(
      eventOf('text', {
        conversationId: a,
        patch: { message: { createTime: iso(now - 2 * HOUR) } },
      }),
      new Date(now - 2 * HOUR),
    );
    await send(a, 'a-reply', now - 2 * HOUR + 2000, 'BOT');

    // B: a handoff an hour ago: claimed after a minute, first human message after 90 s, two survey answers.
    const b = unique('handoff');
    const t = now - HOUR;
    await apply(
      eventOf('text', { conversationId: b, patch: { message: { createTime: iso(t) } } }),
      new Date(t),
    );
    await send(b, 'b-reply', t + 1000, 'BOT');
    await apply(
      eventOf('liveAgentRequest', {
        conversationId: b,
        patch: { userStatus: { requestedLiveAgent: true, createTime: iso(t + MINUTE) } },
      }),
      new Date(t + MINUTE),
    );
    const store = new FirestoreConversationStore(db, { now: () => new Date(t + 2 * MINUTE) });
    await store.updateConversation(b, 'claim', (c) =>
      c
        ? { ...c, state: 'with_agent', assignee: { agentId: 'sam', displayName: 'Sam' } }
        : reject('x', 'x'),
    );
    await send(b, 'b-joined', t + 2 * MINUTE, 'HUMAN', 'event');
    await send(b, 'b-human', t + 2 * MINUTE + 30_000, 'HUMAN');
    for (const [question, rating] of [
      ['q1', 'VERY_SATISFIED'],
      ['q2', 'SOMEWHAT_DISSATISFIED'],
    ]) {
      await apply(
        eventOf('survey', {
          conversationId: b,
          requestId: `survey-${question}`,
          patch: {
            surveyResponse: {
              createTime: iso(t + 10 * MINUTE),
              surveyQuestionId: question,
              rating,
            },
          },
        }),
        new Date(t + 10 * MINUTE),
      );
    }

    // C: three days ago. D: another brand.
    const c = unique('older');
    await apply(
      eventOf('text', {
        conversationId: c,
        patch: { message: { createTime: iso(now - 72 * HOUR) } },
      }),
      new Date(now - 72 * HOUR),
    );
    const d = unique('other-brand');
    await apply(
      eventOf('text', {
        conversationId: d,
        patch: { agent: 'brands/other-brand/agents/x', message: { createTime: iso(now - HOUR) } },
      }),
      new Date(now - HOUR),
    );
  }, 60_000);
  afterAll(() => db.terminate());

  it('the last 24 hours', async () => {
    const run = await cli(['stats', '--brand', 'velo-cafe', '--since', '24h', '--json'], env);
    expect(run.code).toBe(0);
    expect(jsonOf<BrandStats>(run)).toMatchObject({
      brandId: 'velo-cafe',
      conversations: { active: 2, created: 2 },
      customerMessages: 2,
      replies: { bot: 2, human: 1 },
      botAloneShare: 0.5,
      handoffs: 1,
      queueWait: { count: 1, medianMs: MINUTE, p90Ms: MINUTE },
      firstHumanResponse: { count: 1, medianMs: 90_000, p90Ms: 90_000 },
      surveys: { answered: 2, averageScore: 3.5 },
    });
    const table = await cli(['stats', '--brand', 'velo-cafe', '--since', '24h'], env);
    expect(table.stdout).toMatch(/answered by the bot alone:\s+50\.0 %/);
    expect(table.stdout).toMatch(/queue wait:\s+median 1\.0 min, p90 1\.0 min \(1 claimed\)/);
    expect(table.stdout).toMatch(/surveys:\s+2 answered, average 3\.50 \/ 5/);
  });

  it('the last 7 days include the older conversation', async () => {
    const stats = jsonOf<BrandStats>(
      await cli(['stats', '--brand', 'velo-cafe', '--since', '7d', '--json'], env),
    );
    expect(stats).toMatchObject({
      conversations: { active: 3, created: 3 },
      customerMessages: 3,
      botAloneShare: 2 / 3,
    });
  });

  it('an unknown brand: a clear error', async () => {
    expect(await cli(['stats', '--brand', 'ghost', '--since', '24h'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no brand ghost is stored'),
    });
  });
});
