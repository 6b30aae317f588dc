import request from 'supertest';
import { API_ID } from '../../functions/core/deterministic-ids';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import { crowd, describeCommand, startPipeline, tokenOf, type Pipeline } from './pipeline';

// The agent API over functions-framework's test server (supertest), in the one-process
// pipeline: conversations are queued by the real classifier, everything the API publishes goes
// through the real sender to the Business Messages API stand-in.

let p: Pipeline;
afterEach(async () => {
  await p.close();
});

const errorOf = (body: unknown) => (body as { error: { code: string; message: string } }).error;

describe('authentication', () => {
  beforeEach(async () => {
    p = await startPipeline();
  });

  it.each([
    { name: 'no credentials', headers: {} },
    { name: 'an unknown token', headers: { Authorization: 'Bearer not-a-token' } },
    { name: 'not a bearer token', headers: { Authorization: 'Basic YWxleDpzZWNyZXQ=' } },
  ])('401 UNAUTHENTICATED with $name', async ({ headers }) => {
    const res = await request(p.server).get('/conversations').set(headers).expect(401);
    expect(res.body).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'missing or invalid credentials' },
    });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers unknown paths 404 and wrong methods 405, as JSON errors', async () => {
    const missing = await p.as('alex').get('/nothing-here').expect(404);
    expect(errorOf(missing.body).code).toBe('NOT_FOUND');
    const wrong = await p.as('alex').post('/conversations').expect(405);
    expect(errorOf(wrong.body).code).toBe('METHOD_NOT_ALLOWED');
    expect(wrong.headers.allow).toBe('GET');
  });
});

describe('listing and reading conversations', () => {
  beforeEach(async () => {
    p = await startPipeline();
  });

  it('lists the queue of the agent’s brands, and what the agent holds', async () => {
    await p.customer.asksForAgent('conv-1');
    await p.customer.asksForAgent('conv-2');
    await p.customer.says('conv-3', 'Hello');
    await p.as('sam').post('/conversations/conv-2/claim').expect(200);

    const queued = await p.as('alex').get('/conversations?state=queued').expect(200);
    expect(queued.body).toEqual({
      conversations: [
        expect.objectContaining({
          id: 'conv-1',
          brandId: 'velo-cafe',
          state: 'queued',
          assignee: null,
          queuedAt: expect.any(String),
        }),
      ],
    });
    const all = await p.as('alex').get('/conversations').expect(200);
    expect(
      (all.body as { conversations: { id: string }[] }).conversations.map((c) => c.id),
    ).toEqual(['conv-2', 'conv-1']);
    const mine = await p.as('sam').get('/conversations?state=with_agent&mine=true').expect(200);
    expect(mine.body).toEqual({
      conversations: [
        expect.objectContaining({
          id: 'conv-2',
          state: 'with_agent',
          assignee: { agentId: 'sam', displayName: 'Sam' },
        }),
      ],
    });
    const notMine = await p.as('alex').get('/conversations?mine=true').expect(200);
    expect(notMine.body).toEqual({ conversations: [] });
    // Another brand's agent sees none of them.
    const other = await p.as('olga').get('/conversations').expect(200);
    expect(other.body).toEqual({ conversations: [] });
  });

  it.each([
    '/conversations?state=bot',
    '/conversations?mine=yes',
    '/conversations?limit=0',
    '/conversations?colour=blue',
  ])('400 INVALID_ARGUMENT for %s', async (path) => {
    const res = await p.as('alex').get(path).expect(400);
    expect(errorOf(res.body).code).toBe('INVALID_ARGUMENT');
  });

  it('shows the state and the log, and marks the customer’s messages READ once', async () => {
    await p.customer.says('conv-r', 'Hello');
    await p.customer.asksForAgent('conv-r');
    await p.customer.says('conv-r', 'I need help with a booking');
    const res = await p.as('alex').get('/conversations/conv-r').expect(200);
    const body = res.body as { conversation: unknown; messages: { direction: string }[] };
    expect(body.conversation).toMatchObject({ id: 'conv-r', state: 'queued' });
    expect(body.messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ direction: 'inbound', kind: 'text', text: 'Hello' }),
        expect.objectContaining({ direction: 'inbound', kind: 'liveAgentRequest' }),
        expect.objectContaining({ direction: 'outbound', representativeType: 'BOT' }),
        expect.objectContaining({ text: 'I need help with a booking' }),
      ]),
    );
    await p.settle();
    const receipts = () => p.outbound('conv-r').filter((c) => c.type === 'receipt');
    expect(receipts().map(describeCommand)).toEqual(['receipt msg-1 READ', 'receipt msg-3 READ']);
    expect(p.accepted('conv-r').receipts).toHaveLength(2);
    // Read again: they are recorded as read, nothing more is sent.
    await p.as('alex').get('/conversations/conv-r').expect(200);
    await p.settle();
    expect(receipts()).toHaveLength(2);
    // Receipts are not part of the log agents read.
    const again = await p.as('alex').get('/conversations/conv-r').expect(200);
    expect(JSON.stringify(again.body)).not.toContain('receipt-');
  });
});

describe('authorization', () => {
  beforeEach(async () => {
    p = await startPipeline();
    await p.customer.asksForAgent('conv-x');
  });

  it.each([
    ['GET', '/conversations/conv-x', undefined],
    ['POST', '/conversations/conv-x/claim', undefined],
    ['POST', '/conversations/conv-x/messages', { text: 'hi' }],
    ['POST', '/conversations/conv-x/typing', { isTyping: true }],
    ['POST', '/conversations/conv-x/release', undefined],
    ['POST', '/conversations/conv-x/close', {}],
  ])('another brand’s agent: %s %s is 404, like a missing one', async (method, path, json) => {
    const olga = p.as('olga');
    const res = await (method === 'GET' ? olga.get(path) : olga.post(path, json)).expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'conversation not found' } });
    const missing = path.replace('conv-x', 'conv-nope');
    const alex = p.as('alex');
    const res2 = await (method === 'GET' ? alex.get(missing) : alex.post(missing, json)).expect(
      404,
    );
    expect(res2.body).toEqual(res.body);
    // Nothing reached the customer beyond the queue notice.
    expect(p.outbound('conv-x')).toHaveLength(1);
  });

  it('only the agent holding the conversation sends, types and releases (403)', async () => {
    await p.as('alex').post('/conversations/conv-x/claim').expect(200);
    for (const [path, json] of [
      ['/conversations/conv-x/messages', { text: 'Sam here' }],
      ['/conversations/conv-x/typing', { isTyping: true }],
      ['/conversations/conv-x/release', undefined],
      ['/conversations/conv-x/close', { survey: true }],
    ] as const) {
      const res = await p.as('sam').post(path, json).expect(403);
      expect(errorOf(res.body)).toEqual({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/holds this conversation/),
      });
    }
    // Nor may anyone before claiming.
    await p.customer.asksForAgent('conv-y');
    const early = await p.as('alex').post('/conversations/conv-y/messages', { text: 'hi' });
    expect(early.status).toBe(403);
    await p.settle();
    expect(p.outbound('conv-x').map((c) => c.type)).toEqual(['message', 'event']);
  });
});

describe('claims', () => {
  it('of 10 concurrent claims exactly one wins; the others get 409', async () => {
    p = await startPipeline({ agents: crowd(10) });
    await p.customer.asksForAgent('conv-race');
    const names = Object.keys(crowd(10));
    const answers = await Promise.all(
      names.map((name) => p.as(name).post('/conversations/conv-race/claim')),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(9).fill(409)]);
    const winner = answers.find((a) => a.status === 200);
    const holder = (winner?.body as { conversation: { assignee: { agentId: string } } })
      .conversation.assignee.agentId;
    expect(await p.store.getConversation('conv-race')).toMatchObject({
      state: 'with_agent',
      assignee: { agentId: holder },
    });
    for (const loser of answers.filter((a) => a.status === 409)) {
      expect(errorOf(loser.body).code).toBe('CONFLICT');
    }
    await p.settle();
    const joined = p.outbound('conv-race').filter((c) => c.type === 'event');
    expect(joined).toHaveLength(1);
    expect(p.logEvents('conversation_claimed')).toEqual([
      expect.objectContaining({ liveAgentId: holder, queueWaitMs: expect.any(Number) }),
    ]);
  });

  it('a repeated claim by the holder answers 200 with the same JOINED', async () => {
    p = await startPipeline();
    await p.customer.asksForAgent('conv-again');
    const first = await p.as('alex').post('/conversations/conv-again/claim').expect(200);
    const second = await p.as('alex').post('/conversations/conv-again/claim').expect(200);
    expect(second.body).toEqual(first.body);
    await p.settle();
    const events = p.outbound('conv-again').filter((c) => c.type === 'event');
    expect(events).toHaveLength(2);
    expect(new Set(events.map((c) => (c.type === 'event' ? c.eventId : '')))).toHaveProperty(
      'size',
      1,
    );
    expect(p.accepted('conv-again').events).toHaveLength(1);
  });

  it('JOINED is on outbound before the claim answers', async () => {
    p = await startPipeline();
    await p.customer.asksForAgent('conv-j');
    const before = p.outboundMessages().length;
    await p.as('alex').post('/conversations/conv-j/claim').expect(200);
    // Published (not merely scheduled) by the time the answer arrived.
    const published = p.outboundMessages().slice(before);
    expect(published).toHaveLength(1);
    expect(JSON.parse(Buffer.from(published[0]?.data ?? []).toString())).toMatchObject({
      type: 'event',
      event: {
        eventType: 'REPRESENTATIVE_JOINED',
        representative: {
          representativeType: 'HUMAN',
          displayName: 'Alex',
          avatarImage: 'https://velo-cafe.example/avatars/alex.png',
        },
      },
    });
    expect(published[0]?.orderingKey).toBe('conv-j');
    expect(published[0]?.attributes).toMatchObject({ brand: 'velo-cafe', conversation: 'conv-j' });
  });
});

describe('a full handoff, in order on outbound', () => {
  it('bot, queue notice, JOINED, human messages, LEFT, then the bot answers again', async () => {
    p = await startPipeline();
    const c = 'conv-handoff';
    await p.customer.says(c, 'Hello');
    await p.customer.asksForAgent(c);
    await p.as('alex').post(`/conversations/${c}/claim`).expect(200);
    await p.as('alex').get(`/conversations/${c}`).expect(200);
    await p.as('alex').post(`/conversations/${c}/typing`, { isTyping: true }).expect(202);
    await p
      .as('alex')
      .post(`/conversations/${c}/messages`, { text: 'Hi, Alex here. How can I help?' })
      .expect(202);
    await p.customer.says(c, 'My brakes squeak');
    await p
      .as('alex')
      .post(`/conversations/${c}/messages`, {
        text: 'Bring it in, we fix that in 10 minutes.',
        suggestions: [{ reply: { text: 'Thanks!', postbackData: 'thanks' } }],
      })
      .expect(202);
    const released = await p.as('alex').post(`/conversations/${c}/release`).expect(200);
    expect(released.body).toMatchObject({ conversation: { state: 'bot', assignee: null } });
    await p.customer.says(c, 'What are your opening hours?');
    await p.settle();

    const order = p.outbound(c).map(describeCommand);
    expect(order).toEqual([
      // The bot greets the first message (no typing indicators: the brand asks for none).
      expect.stringMatching(/^message BOT: Hi, welcome to/),
      // Queued: someone is coming.
      'message BOT: Thanks for your patience: a member of our team will be with you shortly.',
      'event REPRESENTATIVE_JOINED HUMAN',
      'receipt msg-1 READ',
      'event TYPING_STARTED HUMAN',
      'message HUMAN Alex: Hi, Alex here. How can I help?',
      'message HUMAN Alex: Bring it in, we fix that in 10 minutes.',
      'event REPRESENTATIVE_LEFT HUMAN',
      // The next bot reply comes from the automation function; the human's typing was theirs.
      expect.stringMatching(/^message BOT: \*\*Café\*\*: Tuesday to Friday/),
    ]);
    // The customer saw them in that order: the stand-in's arrival counter agrees.
    const accepted = p.accepted(c);
    const arrivals = [
      ...accepted.messages.map((m) => ({
        seq: m.seq,
        what: `message ${m.body.representative.representativeType}`,
      })),
      ...accepted.events.map((e) => ({
        seq: e.seq,
        what: `event ${e.body.eventType} ${e.body.representative.representativeType}`,
      })),
      ...accepted.receipts.map((r) => ({ seq: r.seq, what: `receipt ${r.messageId} READ` })),
    ]
      .sort((a, b) => a.seq - b.seq)
      .map((a) => a.what);
    expect(arrivals).toEqual(
      p
        .outbound(c)
        .map((command) => describeCommand(command).replace(/^(message \w+)[\s\S]*$/, '$1')),
    );
    expect(await p.store.getConversation(c)).toMatchObject({ state: 'bot', assignee: null });
    // The agent saw the customer's message while holding the conversation.
    expect(p.feed.notices).toEqual([
      expect.objectContaining({ kind: 'customer.message', text: 'My brakes squeak' }),
    ]);
  });
});

describe('sending', () => {
  beforeEach(async () => {
    p = await startPipeline();
    await p.customer.asksForAgent('conv-s');
    await p.as('alex').post('/conversations/conv-s/claim').expect(200);
  });

  const send = (json: unknown, headers: Record<string, string> = {}) =>
    p.as('alex').post('/conversations/conv-s/messages', json, headers);

  it('a retried POST with the same Idempotency-Key never sends twice', async () => {
    const first = await send({ text: 'On my way' }, { 'Idempotency-Key': 'k-123' }).expect(202);
    const retry = await send({ text: 'On my way' }, { 'Idempotency-Key': 'k-123' }).expect(202);
    expect(retry.body).toEqual(first.body);
    await p.settle();
    // Published twice with one ID: the sender's ALREADY_EXISTS makes it land once.
    expect(humanTexts()).toEqual(['On my way', 'On my way']);
    expect(
      p
        .accepted('conv-s')
        .messages.filter((m) => m.body.representative.representativeType === 'HUMAN'),
    ).toHaveLength(1);
  });

  const id = (r: request.Response) => (r.body as { messageId: string }).messageId;
  const humanTexts = () =>
    p
      .outbound('conv-s')
      .flatMap((c) =>
        c.type === 'message' && c.message.representative.representativeType === 'HUMAN'
          ? [c.message.text]
          : [],
      );

  it('the same text twice without a key is two messages: the agent may repeat itself', async () => {
    const first = await send({ text: 'Thanks!' }).expect(202);
    const second = await send({ text: 'Thanks!' }).expect(202);
    expect(id(first)).not.toBe(id(second));
    for (const r of [first, second]) expect(id(r)).toMatch(API_ID);
    await p.settle();
    expect(humanTexts()).toEqual(['Thanks!', 'Thanks!']);
    expect(
      p
        .accepted('conv-s')
        .messages.filter((m) => m.body.representative.representativeType === 'HUMAN'),
    ).toHaveLength(2);
  });

  it('clientMessageId makes the key: the same one is one message, another is another', async () => {
    const a = await send({ text: 'ok', clientMessageId: 'c-1' }).expect(202);
    const b = await send({ text: 'ok', clientMessageId: 'c-2' }).expect(202);
    const retry = await send({ text: 'ok', clientMessageId: 'c-1' }).expect(202);
    expect(id(a)).not.toBe(id(b));
    expect(id(retry)).toBe(id(a));
    await p.settle();
    expect(p.accepted('conv-s').messages).toHaveLength(3); // the queue notice + 2
  });

  it.each([
    { name: 'no body', json: undefined, problem: 'text' },
    { name: 'empty text', json: { text: '' }, problem: 'text' },
    { name: 'too long', json: { text: 'x'.repeat(3073) }, problem: '3072' },
    {
      name: 'a chip too long',
      json: { text: 'hi', suggestions: [{ reply: { text: 'x'.repeat(26), postbackData: 'p' } }] },
      problem: 'suggestions.0.reply.text',
    },
    {
      name: '14 chips',
      json: {
        text: 'hi',
        suggestions: Array(14).fill({ reply: { text: 'a', postbackData: 'a' } }),
      },
      problem: 'at most 13',
    },
    { name: 'an unknown field', json: { text: 'hi', richText: true }, problem: 'richText' },
  ])('400 INVALID_ARGUMENT for $name', async ({ json, problem }) => {
    const res = await send(json).expect(400);
    expect(errorOf(res.body)).toEqual({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(problem),
    });
  });

  it('400 for malformed JSON and a bad Idempotency-Key', async () => {
    const malformed = await request(p.server)
      .post('/conversations/conv-s/messages')
      .set('Authorization', `Bearer ${tokenOf('alex')}`)
      .set('Content-Type', 'application/json')
      .send('{"text": ')
      .expect(400);
    expect(errorOf(malformed.body).message).toMatch(/^invalid JSON/);
    const badKey = await send({ text: 'hi' }, { 'Idempotency-Key': 'has spaces in it' }).expect(
      400,
    );
    expect(errorOf(badKey.body).message).toMatch(/Idempotency-Key/);
  });

  it('typing indicators as the human', async () => {
    await p.as('alex').post('/conversations/conv-s/typing', { isTyping: true }).expect(202);
    await p.as('alex').post('/conversations/conv-s/typing', { isTyping: false }).expect(202);
    await p.as('alex').post('/conversations/conv-s/typing', { isTyping: 'yes' }).expect(400);
    await p.settle();
    expect(p.outbound('conv-s').map(describeCommand).slice(-2)).toEqual([
      'event TYPING_STARTED HUMAN',
      'event TYPING_STOPPED HUMAN',
    ]);
  });
});

describe('closing', () => {
  it('LEFT, closed, then the survey; closing again sends nothing', async () => {
    p = await startPipeline();
    await p.customer.asksForAgent('conv-close');
    await p.as('alex').post('/conversations/conv-close/claim').expect(200);
    const closed = await p
      .as('alex')
      .post('/conversations/conv-close/close', { survey: true })
      .expect(200);
    expect(closed.body).toMatchObject({
      conversation: { state: 'closed', assignee: null },
      surveyId: expect.any(String),
    });
    await p.as('alex').post('/conversations/conv-close/close', { survey: true }).expect(200);
    await p.settle();
    expect(p.outbound('conv-close').map(describeCommand)).toEqual([
      expect.stringMatching(/^message BOT/),
      'event REPRESENTATIVE_JOINED HUMAN',
      'event REPRESENTATIVE_LEFT HUMAN',
      'survey',
    ]);
    expect(p.accepted('conv-close').surveys).toHaveLength(1);
  });

  it('a queued conversation closes without LEFT, by any agent of the brand', async () => {
    p = await startPipeline();
    await p.customer.asksForAgent('conv-q');
    await p.as('sam').post('/conversations/conv-q/close').expect(200);
    await p.settle();
    expect(p.outbound('conv-q').map((c) => c.type)).toEqual(['message']);
    expect(await p.store.getConversation('conv-q')).toMatchObject({ state: 'closed' });
  });

  it('release of a conversation nobody holds is 409', async () => {
    p = await startPipeline();
    await p.customer.asksForAgent('conv-n');
    const res = await p.as('alex').post('/conversations/conv-n/release').expect(409);
    expect(errorOf(res.body).code).toBe('CONFLICT');
  });
});

describe('a brand configuration that fails validation', () => {
  // An admin's edit straight in Firestore broke one field the bot needs. The agents' work does
  // not depend on it: the agent API reads the `dedicated` flag from its field alone, and
  // liveAgent validates only its queue settings, which the edit left alone.
  const brokenBrand = (dedicated: boolean) => ({
    ...(sampleBrandDocument() as object),
    routing: { missThreshold: 0 },
    ...(dedicated ? { dedicated: true } : {}),
  });

  it('claim, messages, release and close all work, published as the flag says', async () => {
    p = await startPipeline();
    p.brands.putUnchecked('velo-cafe', brokenBrand(true));
    await expect(p.brands.get('velo-cafe')).rejects.toThrow(/routing\.missThreshold/);
    const c = 'conv-broken';
    await p.customer.asksForAgent(c);
    expect(p.liveAgentOutcomes).toEqual([
      { status: 'handled', state: 'queued', notice: 'coming', returnedToBot: false },
    ]);
    const claimed = await p.as('alex').post(`/conversations/${c}/claim`).expect(200);
    expect(claimed.body).toMatchObject({ conversation: { state: 'with_agent' } });
    await p.as('alex').post(`/conversations/${c}/messages`, { text: 'Alex here' }).expect(202);
    await p.as('alex').post(`/conversations/${c}/release`).expect(200);
    await p.customer.asksForAgent(c);
    await p.as('alex').post(`/conversations/${c}/claim`).expect(200);
    await p.as('alex').post(`/conversations/${c}/close`, { survey: true }).expect(200);
    await p.settle();
    const coming =
      'message BOT: Thanks for your patience: a member of our team will be with you shortly.';
    expect(p.outbound(c).map(describeCommand)).toEqual([
      coming,
      'event REPRESENTATIVE_JOINED HUMAN',
      'message HUMAN Alex: Alex here',
      'event REPRESENTATIVE_LEFT HUMAN',
      coming,
      'event REPRESENTATIVE_JOINED HUMAN',
      'event REPRESENTATIVE_LEFT HUMAN',
      'survey',
    ]);
    // The queue notices too: liveAgent reads `dedicated` with its queue settings.
    const published = p.outboundMessages().filter((m) => m.attributes.conversation === c);
    expect(published.every((m) => m.attributes.dedicated === 'true')).toBe(true);
    expect(p.accepted(c).events).toHaveLength(4);
    expect(p.logEvents('agent_api_failed')).toEqual([]);
  });

  it('a flag that cannot be read: published as shared, with a warning, and the claim stands', async () => {
    p = await startPipeline();
    p.brands.isDedicated = () => Promise.reject(new Error('14 UNAVAILABLE'));
    await p.customer.asksForAgent('conv-unread');
    await p.as('alex').post('/conversations/conv-unread/claim').expect(200);
    const joined = p
      .outboundMessages()
      .filter((m) => m.attributes.conversation === 'conv-unread' && m.attributes.type === 'event');
    expect(joined).toHaveLength(1);
    expect(joined[0]?.attributes.dedicated).toBeUndefined();
    expect(p.logEvents('agent_api_dedicated_unknown')).toEqual([
      expect.objectContaining({ severity: 'WARNING', brandId: 'velo-cafe' }),
    ]);
  });
});

describe('failures', () => {
  it('a failed publish answers 503 UNAVAILABLE; the retry sends the same JOINED', async () => {
    p = await startPipeline();
    await p.customer.asksForAgent('conv-f');
    p.bus.failNextPublish('outbound');
    const failed = await p.as('alex').post('/conversations/conv-f/claim').expect(503);
    expect(errorOf(failed.body).code).toBe('UNAVAILABLE');
    expect(failed.headers['retry-after']).toBe('2');
    // The claim had committed: the agent holds it, and only its JOINED is missing.
    expect(await p.store.getConversation('conv-f')).toMatchObject({
      state: 'with_agent',
      assignee: { agentId: 'alex' },
    });
    expect(p.logEvents('conversation_claimed')).toHaveLength(1);
    await p.as('alex').post('/conversations/conv-f/claim').expect(200);
    expect(p.logEvents('conversation_claimed')).toHaveLength(1);
    await p.settle();
    expect(p.accepted('conv-f').events).toEqual([
      expect.objectContaining({
        body: expect.objectContaining({ eventType: 'REPRESENTATIVE_JOINED' }),
      }),
    ]);
  });
});
