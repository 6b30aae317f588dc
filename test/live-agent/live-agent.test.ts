import { InMemoryConversationStore } from '../../functions/adapters/in-memory-conversation-store';
import { PermanentFailure } from '../../functions/core/failure';
import { toPubSubCloudEvent } from '../../functions/platform/pubsub-cloud-event';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import { describeCommand, startPipeline, type Pipeline } from '../agent-api/pipeline';

// The liveAgent function in the one-process pipeline: the real classifier puts conversations in
// the queue and routes their events here; the real sender delivers to the API stand-in.

let p: Pipeline;
afterEach(async () => {
  await p.close();
});

const routedToLiveAgent = () => p.bus.published.filter((m) => m.topic === 'live-agent');
const redeliver = (m: (typeof p.bus.published)[number]) =>
  p.handlers.liveAgent(toPubSubCloudEvent('projects/test-project/topics/live-agent', m));

/** The sample brand with human hours Tuesday to Saturday 09:00-18:00 in Paris. */
function brandWithHumanHours(returnToBotWhenOffline: boolean): unknown {
  const doc = sampleBrandDocument() as { hours: { human: Record<string, unknown> } };
  doc.hours.human.weekly = {
    tue: ['09:00-18:00'],
    wed: ['09:00-18:00'],
    thu: ['09:00-18:00'],
    fri: ['09:00-18:00'],
    sat: ['09:00-18:00'],
  };
  doc.hours.human.returnToBotWhenOffline = returnToBotWhenOffline;
  return doc;
}

describe('a live-agent request inside human hours', () => {
  beforeEach(async () => {
    p = await startPipeline();
  });

  it('leaves the conversation queued and tells the customer once that someone is coming', async () => {
    await p.customer.asksForAgent('conv-a');
    const conversation = await p.store.getConversation('conv-a');
    expect(conversation).toMatchObject({ state: 'queued', assignee: null });
    expect(p.outbound('conv-a').map(describeCommand)).toEqual([
      'message BOT: Thanks for your patience: a member of our team will be with you shortly.',
    ]);
    expect(p.accepted('conv-a').messages).toHaveLength(1);
    expect(p.liveAgentOutcomes).toEqual([
      { status: 'handled', state: 'queued', notice: 'coming', returnedToBot: false },
    ]);
  });

  it('tells it once per queueing, under redelivery and further messages', async () => {
    await p.customer.asksForAgent('conv-b');
    const [routed] = routedToLiveAgent();
    if (!routed) throw new Error('nothing routed to live-agent');
    // The same routed event again (a Pub/Sub redelivery), twice.
    await redeliver(routed);
    await redeliver(routed);
    // The customer writes while waiting: routed here too (reason `queued`).
    await p.customer.says('conv-b', 'Is anyone there?');
    await p.customer.says('conv-b', 'Hello??');
    await p.settle();

    const notices = p.outbound('conv-b');
    expect(notices).toHaveLength(5);
    const ids = new Set(notices.map((c) => (c.type === 'message' ? c.message.messageId : c.type)));
    expect(ids.size).toBe(1);
    // The API accepted it once; every other attempt met ALREADY_EXISTS.
    expect(p.accepted('conv-b').messages).toHaveLength(1);
    expect(p.logEvents('send_succeeded').map((l) => l.result)).toEqual([
      'created',
      'already-exists',
      'already-exists',
      'already-exists',
      'already-exists',
    ]);
  });

  it('queues again after a release with a new notice', async () => {
    await p.customer.asksForAgent('conv-c');
    await p.as('alex').post('/conversations/conv-c/claim').expect(200);
    await p.as('alex').post('/conversations/conv-c/release').expect(200);
    await p.settle();
    await p.customer.asksForAgent('conv-c');
    const notices = p
      .outbound('conv-c')
      .flatMap((c) =>
        c.type === 'message' && c.message.representative.representativeType === 'BOT'
          ? [c.message.messageId]
          : [],
      );
    expect(notices).toHaveLength(2);
    expect(notices[0]).not.toBe(notices[1]);
    expect(p.accepted('conv-c').messages).toHaveLength(2);
  });

  it('passes the customer’s messages to the agents’ feed and keeps them in the log once', async () => {
    await p.customer.asksForAgent('conv-d');
    await p.customer.says('conv-d', 'My bike has a flat tyre');
    const [routed] = routedToLiveAgent().slice(-1);
    if (!routed) throw new Error('nothing routed');
    await redeliver(routed);
    expect(p.feed.notices).toEqual([
      expect.objectContaining({
        kind: 'customer.message',
        conversationId: 'conv-d',
        brandId: 'velo-cafe',
        messageKind: 'text',
        text: 'My bike has a flat tyre',
      }),
    ]);
    const log = await p.store.getMessages('conv-d', 100);
    const inbound = log.filter((e) => e.direction === 'inbound');
    expect(inbound.map((e) => e.kind)).toEqual(['liveAgentRequest', 'text']);
    expect(inbound[1]).toMatchObject({ text: 'My bike has a flat tyre' });
    expect(p.logEvents('live_agent_message_unlogged')).toEqual([]);
  });

  it('passes customer typing to the feed while an agent holds the conversation', async () => {
    await p.customer.asksForAgent('conv-e');
    await p.as('alex').post('/conversations/conv-e/claim').expect(200);
    await p.customer.types('conv-e', true);
    await p.customer.types('conv-e', false);
    expect(p.feed.notices.map((n) => [n.kind, 'isTyping' in n ? n.isTyping : undefined])).toEqual([
      ['customer.typing', true],
      ['customer.typing', false],
    ]);
    // Typing sends nothing to the customer.
    expect(p.outbound('conv-e').map((c) => c.type)).toEqual(['message', 'event']);
  });
});

describe('outside human hours (injected clock)', () => {
  // Saturday 28 November 2026, 21:00 in Paris: the team is back Tuesday at 09:00.
  const SATURDAY_NIGHT = new Date('2026-11-28T20:00:00.000Z');

  it('sends the offline message with the next opening, and the bot takes over', async () => {
    p = await startPipeline({ brand: brandWithHumanHours(true), start: SATURDAY_NIGHT });
    await p.customer.asksForAgent('conv-f', 'fr');
    const [notice] = p.outbound('conv-f');
    expect(notice?.type === 'message' && notice.message.text).toMatch(
      /^L'équipe est absente pour le moment .*\n\nNotre équipe sera de retour le mardi 1 décembre à 09:00 /s,
    );
    expect(notice?.type === 'message' && notice.message.suggestions).toHaveLength(4);
    expect(await p.store.getConversation('conv-f')).toMatchObject({ state: 'bot' });
    expect(p.liveAgentOutcomes).toEqual([
      { status: 'handled', state: 'bot', notice: 'offline', returnedToBot: true },
    ]);
    // Back with the bot: the customer's next message is the bot's to answer.
    await p.customer.says('conv-f', 'Quels sont vos horaires ?', 'fr');
    expect(p.bus.published.filter((m) => m.topic === 'automation')).toHaveLength(1);
    const log = p.logEvents('live_agent_event')[0];
    expect(log).toMatchObject({ nextOpening: '2026-12-01T08:00:00.000Z', notice: 'offline' });
  });

  it('keeps the conversation queued when the brand does not return it to the bot', async () => {
    p = await startPipeline({ brand: brandWithHumanHours(false), start: SATURDAY_NIGHT });
    await p.customer.asksForAgent('conv-g');
    const [notice] = p.outbound('conv-g');
    expect(notice?.type === 'message' && notice.message.text).toMatch(
      /\n\nOur team will be back on Tuesday, December 1 at 9:00/,
    );
    expect(await p.store.getConversation('conv-g')).toMatchObject({ state: 'queued' });
    // Still queued: further messages repeat the same notice, which appears once.
    await p.customer.says('conv-g', 'ok, I will wait');
    expect(p.accepted('conv-g').messages).toHaveLength(1);
  });

  it('tells a customer still waiting when the team goes home', async () => {
    // Saturday 17:59 in Paris: open; a minute later: closed.
    p = await startPipeline({
      brand: brandWithHumanHours(false),
      start: new Date('2026-11-28T16:59:30.000Z'),
    });
    await p.customer.asksForAgent('conv-h');
    p.clock.advance(60_000);
    await p.customer.says('conv-h', 'still there?');
    expect(
      p.outbound('conv-h').map((c) => (c.type === 'message' ? c.message.text : c.type)),
    ).toEqual([
      expect.stringContaining('will be with you shortly'),
      expect.stringContaining('Our team will be back on Tuesday'),
    ]);
  });
});

describe('a brand whose bot part is broken', () => {
  /** The sample brand with an intent reply over the API's text limit: `get` refuses it. */
  function brandWithBrokenBot(): unknown {
    const doc = sampleBrandDocument() as {
      intents: { replies: Record<string, { text?: string }> }[];
    };
    doc.intents[0]!.replies.en!.text = 'x'.repeat(3073);
    return doc;
  }

  it('still gets its queued customers told someone is coming; automation quarantines its own events', async () => {
    p = await startPipeline();
    p.brands.putUnchecked('velo-cafe', brandWithBrokenBot());
    await expect(p.brands.get('velo-cafe')).rejects.toThrow('intents[0].replies.en.text');

    await p.customer.asksForAgent('conv-l');
    expect(p.liveAgentOutcomes).toEqual([
      { status: 'handled', state: 'queued', notice: 'coming', returnedToBot: false },
    ]);
    expect(p.outbound('conv-l').map(describeCommand)).toEqual([
      'message BOT: Thanks for your patience: a member of our team will be with you shortly.',
    ]);
    expect(p.accepted('conv-l').messages).toHaveLength(1);
    expect(p.quarantined()).toEqual([]);

    // The bot's own events cannot be answered: automation quarantines them.
    await p.customer.says('conv-m', 'What are your opening hours?');
    expect(p.quarantined().map((m) => m.attributes?.source)).toEqual(['automation']);
  });
});

describe('failures', () => {
  it('quarantines what is not a routed event, and acknowledges it', async () => {
    p = await startPipeline();
    const outcome = await p.handlers.liveAgent(
      toPubSubCloudEvent('projects/test-project/topics/live-agent', {
        id: 'bad-1',
        data: Buffer.from('{"not":"a routed event"}'),
        attributes: { traceId: 'b'.repeat(32) },
        publishTime: new Date().toISOString(),
      }),
    );
    expect(outcome).toMatchObject({ status: 'quarantined' });
    const [kept] = p.quarantined();
    expect(kept && Buffer.from(kept.data).toString()).toBe('{"not":"a routed event"}');
    expect(kept?.attributes).toMatchObject({ source: 'live-agent' });
    expect(p.logEvents('event_quarantined')).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        reason: expect.stringContaining('not a routed event'),
      }),
    ]);
  });

  it('invalid JSON: a fixed reason; the data’s words are in no log line or attribute', async () => {
    p = await startPipeline();
    const outcome = await p.handlers.liveAgent(
      toPubSubCloudEvent('projects/test-project/topics/live-agent', {
        id: 'bad-2',
        data: Buffer.from('{"text": secret42}'),
        attributes: { traceId: 'b'.repeat(32) },
        publishTime: new Date().toISOString(),
      }),
    );
    expect(outcome).toEqual({ status: 'quarantined', reason: 'invalid JSON (SyntaxError)' });
    const [kept] = p.quarantined();
    expect(kept?.attributes).toMatchObject({
      source: 'live-agent',
      reason: 'invalid JSON (SyntaxError)',
    });
    expect(JSON.stringify(kept?.attributes)).not.toContain('secret42');
    expect(p.logEvents('event_quarantined')).toHaveLength(1);
    expect(JSON.stringify(p.logs)).not.toContain('secret42');
  });

  it('quarantines an event of a brand without configuration', async () => {
    p = await startPipeline({ brand: null });
    await p.customer.asksForAgent('conv-i');
    expect(p.liveAgentOutcomes).toEqual([
      { status: 'quarantined', reason: 'brand velo-cafe has no configuration' },
    ]);
    expect(p.quarantined()).toHaveLength(1);
  });

  it('quarantines an event of a brand whose human hours are invalid, naming the field', async () => {
    p = await startPipeline();
    const broken = sampleBrandDocument() as { hours: { human: Record<string, unknown> } };
    broken.hours.human.timeZone = 'Mars/Olympus_Mons';
    p.brands.putUnchecked('velo-cafe', broken);
    await p.customer.asksForAgent('conv-k');
    expect(p.liveAgentOutcomes).toEqual([
      {
        status: 'quarantined',
        reason: expect.stringContaining(
          'hours.human.timeZone: unknown IANA time zone "Mars/Olympus_Mons"',
        ),
      },
    ]);
    expect(p.quarantined()).toHaveLength(1);
    expect(p.outbound('conv-k')).toEqual([]);
  });

  it('throws transient failures, so Pub/Sub redelivers', async () => {
    const store = new InMemoryConversationStore();
    p = await startPipeline({ store });
    await p.customer.asksForAgent('conv-j');
    const [routed] = routedToLiveAgent();
    if (!routed) throw new Error('nothing routed');
    jest.spyOn(store, 'getConversation').mockRejectedValueOnce(new Error('UNAVAILABLE'));
    await expect(redeliver(routed)).rejects.toThrow('UNAVAILABLE');
    expect(p.logEvents('live_agent_retry')).toHaveLength(1);
    jest.spyOn(store, 'getConversation').mockRejectedValueOnce(new PermanentFailure('corrupt'));
    await expect(redeliver(routed)).resolves.toMatchObject({ status: 'quarantined' });
  });
});
