import { randomUUID } from 'node:crypto';
import {
  customerEvent,
  type CustomerContext,
} from '../../functions/local/simulator/customer-events';
import type { InspectedConversation } from '../../functions/local/simulator/render';
import { seedLocalData } from '../../functions/local/stack/seed';
import { describeWithEmulators } from '../support/emulators';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The whole product end to end, as `npm start` runs it: signed webhook events in, what the
 * customer would see out (the Business Messages API stand-in), every function in its own
 * functions-framework process behind Pub/Sub emulator push subscriptions, Firestore emulator.
 */
jest.setTimeout(120_000);

const customer = (
  locale = 'en',
  agent = 'brands/velo-cafe/agents/velo-cafe-agent',
): CustomerContext => ({
  conversationId: randomUUID(),
  agent,
  locale,
  entryPoint: 'PLACESHEET',
});

type Item = { seq: number; what: string };

/** Messages and events in arrival order, as `BOT: text`, `HUMAN: text`, `REPRESENTATIVE_JOINED HUMAN`. */
function timeline(c: InspectedConversation): Item[] {
  const items: Item[] = [
    ...c.messages.map((m) => ({
      seq: m.seq,
      what: `${m.body.representative?.representativeType ?? '?'}: ${m.body.text ?? m.body.fallback ?? '[rich]'}`,
    })),
    ...c.events
      .filter((e) => !e.body.eventType.startsWith('TYPING'))
      .map((e) => ({
        seq: e.seq,
        what: `${e.body.eventType} ${e.body.representative?.representativeType ?? ''}`.trim(),
      })),
    ...c.surveys.map((s) => ({ seq: s.seq, what: 'SURVEY' })),
  ];
  return items.sort((a, b) => a.seq - b.seq);
}

/** Waits until the conversation has stopped growing (nothing new for 1.5 s). */
async function settled(
  stack: TestStack,
  id: string,
  atLeast: number,
): Promise<InspectedConversation> {
  let conversation = await stack.inspect(id, atLeast);
  for (;;) {
    const count = total(conversation);
    const next = await stack.inspect(id, count + 1, 1500);
    if (total(next) === count) return next;
    conversation = next;
  }
}
const total = (c: InspectedConversation) =>
  c.messages.length + c.events.length + c.surveys.length + c.receipts.length;

describeWithEmulators('the pipeline end to end on the emulators', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(seedLocalData);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('starts quietly: a line per stage, and no function printed a stack trace or a warning', () => {
    expect(stack.stages).toEqual([
      expect.stringMatching(/^starting 6 functions/),
      expect.stringMatching(/^creating topics and push subscriptions, seeding/),
    ]);
    const output = stack.recentOutput();
    expect(Object.keys(output).sort()).toEqual(
      [
        'agentApi',
        'automation',
        'bm-api-standin',
        'classifier',
        'liveAgent',
        'sender',
        'webhook',
      ].sort(),
    );
    for (const [name, text] of Object.entries(output)) {
      expect({ name, stackTraces: text.match(/^\s+at .+$/m) ?? [] }).toEqual({
        name,
        stackTraces: [],
      });
      expect({ name, warnings: text.match(/"severity":"(WARNING|ERROR)"/g) ?? [] }).toEqual({
        name,
        warnings: [],
      });
    }
  });

  it('hello gets the greeting and the answer, with no typing around them (Vélo Café asks for none)', async () => {
    const who = customer();
    expect(
      (await stack.act(who, { type: 'text', text: 'Hello! Are you open on Sunday?' })).status,
    ).toBe(200);
    const seen = await settled(stack, who.conversationId, 2);
    expect(seen.messages.every((m) => m.body.representative?.representativeType === 'BOT')).toBe(
      true,
    );
    // In order: the greeting (message 0 of the event), then the answer (message 1).
    expect(
      [...seen.messages].sort((a, b) => a.seq - b.seq).map((m) => m.messageId.slice(-3)),
    ).toEqual(['-m0', '-m1']);
    expect(timeline(seen)[0]?.what).toMatch(/^BOT: Hi, welcome to/);
    expect(seen.events).toEqual([]);
  });

  it('a brand that asks for typing indicators gets them around each answer (Harbour Books)', async () => {
    const who = customer('en', 'brands/harbour-books/agents/harbour-books-agent');
    await stack.act(who, { type: 'text', text: 'What are your opening hours?' });
    const seen = await settled(stack, who.conversationId, 4);
    const arrivals = [
      ...seen.messages.map((m) => ({ seq: m.seq, what: m.messageId.slice(-3) })),
      ...seen.events.map((e) => ({ seq: e.seq, what: e.body.eventType })),
    ]
      .sort((a, b) => a.seq - b.seq)
      .map((a) => a.what);
    expect(arrivals).toEqual(['TYPING_STARTED', '-m0', '-m1', 'TYPING_STOPPED']);
  });

  it('answers a French customer in French', async () => {
    const who = customer('fr');
    await stack.act(who, { type: 'text', text: 'Bonjour, à quelle heure ouvrez-vous ?' });
    const seen = await settled(stack, who.conversationId, 2);
    const texts = seen.messages.map((m) => m.body.text ?? m.body.fallback ?? '').join('\n');
    expect(texts).toMatch(/Bonjour|Bienvenue|horaires|ouvert/i);
  });

  it('the same webhook event posted 3 times gives one reply', async () => {
    const who = customer();
    const body = JSON.stringify(
      customerEvent(
        who,
        { type: 'text', text: 'What are your prices?' },
        { requestId: randomUUID(), messageId: randomUUID() },
        new Date(),
      ),
    );
    const answers = await Promise.all([stack.post(body), stack.post(body), stack.post(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const once = await settled(stack, who.conversationId, 2);
    // A later message's reply arrives after anything the duplicates could still cause
    // (one ordering key per conversation all the way to the API).
    await stack.act(who, { type: 'text', text: 'thanks' });
    const after = await settled(stack, who.conversationId, total(once) + 1);
    // Exactly once: every ID reached the API once, the first reply's messages among them.
    const ids = after.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    const firstReplies = after.messages.filter((m) =>
      once.messages.some((o) => o.messageId === m.messageId),
    );
    expect(firstReplies).toHaveLength(once.messages.length);
    // In order: greeting and answer to the first message, then the answer to "thanks".
    expect(
      [...after.messages].sort((a, b) => a.seq - b.seq).map((m) => m.messageId.slice(-3)),
    ).toEqual(['-m0', '-m1', '-m1']);
  });

  it('a customer who asks for a human is queued and told; an agent claims, talks, releases; the bot answers again', async () => {
    const who = customer();
    await stack.act(who, { type: 'text', text: 'Hi' });
    const greeted = await settled(stack, who.conversationId, 1);
    await stack.act(who, { type: 'live-agent' });
    const informed = await settled(stack, who.conversationId, total(greeted) + 1);
    const notice = informed.messages.at(-1);
    expect(notice?.body.representative?.representativeType).toBe('BOT');

    const queue = await stack.agentApi('GET', '/conversations?state=queued');
    expect(queue.status).toBe(200);
    expect(JSON.stringify(queue.json)).toContain(who.conversationId);

    expect(
      (await stack.agentApi('POST', `/conversations/${who.conversationId}/claim`)).status,
    ).toBe(200);
    const second = await stack.agentApi(
      'POST',
      `/conversations/${who.conversationId}/claim`,
      undefined,
      'dev-agent-token',
    );
    expect([200, 409]).toContain(second.status);
    expect(
      (
        await stack.agentApi('POST', `/conversations/${who.conversationId}/messages`, {
          text: 'Hi, I am Alex. How can I help?',
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await stack.agentApi('POST', `/conversations/${who.conversationId}/messages`, {
          text: 'Your bike is ready.',
        })
      ).status,
    ).toBe(202);
    expect(
      (await stack.agentApi('POST', `/conversations/${who.conversationId}/release`)).status,
    ).toBe(200);
    const released = await settled(stack, who.conversationId, total(informed) + 4);

    await stack.act(who, { type: 'text', text: 'What are your opening hours?' });
    const after = await settled(stack, who.conversationId, total(released) + 1);
    const story = timeline(after)
      .map((i) => i.what)
      .slice(timeline(informed).length);
    expect(story.slice(0, 4)).toEqual([
      'REPRESENTATIVE_JOINED HUMAN',
      'HUMAN: Hi, I am Alex. How can I help?',
      'HUMAN: Your bike is ready.',
      'REPRESENTATIVE_LEFT HUMAN',
    ]);
    // Then the bot again, and only the bot.
    expect(story.length).toBeGreaterThan(4);
    for (const line of story.slice(4)) expect(line).toMatch(/^BOT: /);
  });

  it('closing with a survey sends one survey', async () => {
    const who = customer();
    await stack.act(who, { type: 'live-agent' });
    await settled(stack, who.conversationId, 1);
    expect(
      (await stack.agentApi('POST', `/conversations/${who.conversationId}/claim`)).status,
    ).toBe(200);
    expect(
      (await stack.agentApi('POST', `/conversations/${who.conversationId}/close`, { survey: true }))
        .status,
    ).toBe(200);
    const closed = await settled(stack, who.conversationId, 3);
    expect(closed.surveys).toHaveLength(1);
    expect(
      timeline(closed)
        .slice(-3)
        .map((i) => i.what),
    ).toEqual(['REPRESENTATIVE_JOINED HUMAN', 'REPRESENTATIVE_LEFT HUMAN', 'SURVEY']);
  });
});
