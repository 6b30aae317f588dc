import { ApiErrorBody } from '../../functions/core/business-messages-api';
import { StandinConfigError, loadStandinConfig } from '../../functions/local/bm-api-standin/config';
import {
  createStandin,
  seededRandom,
  type Standin,
  type StandinOptions,
} from '../../functions/local/bm-api-standin/server';
import type {
  ConversationRecord,
  ConversationSummary,
} from '../../functions/local/bm-api-standin/store';

// Every test talks to a real server on an ephemeral port, the way the sender will.

const T0 = new Date('2024-05-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;

let standin: Standin | undefined;
let baseUrl: string;
let now: Date;

async function start(options: StandinOptions = {}): Promise<void> {
  now = T0;
  standin = createStandin({ now: () => now, random: seededRandom(7), ...options });
  ({ url: baseUrl } = await standin.listen(0));
}

afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

function running(): Standin {
  if (!standin) throw new Error('start() the stand-in first');
  return standin;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: 'Bearer local-fake-token' },
): Promise<Answer> {
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const bot = { representativeType: 'BOT' } as const;
const textMessage = (messageId: string, text = 'Hello') => ({
  messageId,
  representative: bot,
  text,
});
const sendMessage = (conversationId: string, messageId: string, text?: string) =>
  call('POST', `/v1/conversations/${conversationId}/messages`, textMessage(messageId, text));
const sendEvent = (conversationId: string, eventId: string) =>
  call('POST', `/v1/conversations/${conversationId}/events?eventId=${eventId}`, {
    eventType: 'TYPING_STARTED',
    representative: bot,
  });
const sendSurvey = (conversationId: string, surveyId: string) =>
  call('POST', `/v1/conversations/${conversationId}/surveys?surveyId=${surveyId}`, {});
const sendReceipt = (conversationId: string, messageId: string) =>
  call('PATCH', `/v1/conversations/${conversationId}/messages/${messageId}/receipt`, {
    receiptType: 'READ',
  });

async function inspect(conversationId: string, query = ''): Promise<ConversationRecord> {
  const answer = await call('GET', `/_inspect/conversations/${conversationId}${query}`);
  expect(answer.status).toBe(200);
  return answer.body as ConversationRecord;
}

/** Yields until the server holds `n` long polls; no sleeping, no timing. */
async function untilWaiting(n: number): Promise<void> {
  while (running().state.store.waiting() < n) await new Promise((resolve) => setImmediate(resolve));
}

const itemCount = (r: ConversationRecord): number =>
  r.messages.length + r.events.length + r.surveys.length + r.receipts.length;

/** Asserts Google's error shape and returns the error for further checks. */
function googleError(answer: Answer, code: number, status: string): ApiErrorBody['error'] {
  expect(answer.status).toBe(code);
  const parsed = ApiErrorBody.parse(answer.body);
  expect(parsed.error).toMatchObject({ code, status });
  return parsed.error;
}

describe('messages', () => {
  beforeEach(() => start());

  it('accepts a message, echoes it with its name and records it with seq and receivedAt', async () => {
    const answer = await sendMessage('conv-1', 'm-1');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ...textMessage('m-1'),
      name: 'conversations/conv-1/messages/m-1',
    });
    const record = await inspect('conv-1');
    expect(record.messages).toEqual([
      {
        conversationId: 'conv-1',
        messageId: 'm-1',
        forceFallback: false,
        hasAuthorization: true,
        body: textMessage('m-1'),
        seq: 1,
        receivedAt: T0.toISOString(),
      },
    ]);
  });

  it('answers a repeated messageId with 409 ALREADY_EXISTS and records it once', async () => {
    expect((await sendMessage('conv-1', 'm-1', 'first')).status).toBe(200);

    const again = await sendMessage('conv-1', 'm-1', 'second');

    expect(googleError(again, 409, 'ALREADY_EXISTS').message).toContain('m-1');
    const record = await inspect('conv-1');
    expect(record.messages.map((m) => m.body.text)).toEqual(['first']);
  });

  it('scopes message IDs to their conversation', async () => {
    expect((await sendMessage('conv-1', 'm-1')).status).toBe(200);
    expect((await sendMessage('conv-2', 'm-1')).status).toBe(200);
  });

  it('rejects text of 3073 characters with 400 naming the field, and records nothing', async () => {
    const answer = await sendMessage('conv-1', 'm-1', 'x'.repeat(3073));

    const error = googleError(answer, 400, 'INVALID_ARGUMENT');
    expect(error.message).toBe('text: text must be at most 3072 characters (got 3073)');
    expect(itemCount(await inspect('conv-1'))).toBe(0);
  });

  it('rejects malformed JSON and unknown fields with 400', async () => {
    const path = '/v1/conversations/conv-1/messages';
    googleError(await call('POST', path, '{"messageId":'), 400, 'INVALID_ARGUMENT');
    const unknown = await call('POST', path, { ...textMessage('m-1'), richText: '**hi**' });
    expect(googleError(unknown, 400, 'INVALID_ARGUMENT').message).toContain('richText');
  });

  it('takes messageId from the query when the body has none, and refuses two different IDs', async () => {
    const body = { representative: bot, text: 'Hi' };
    const path = '/v1/conversations/conv-1/messages';

    expect((await call('POST', `${path}?messageId=q-1`, body)).status).toBe(200);
    const mismatch = await call('POST', `${path}?messageId=q-2`, { ...body, messageId: 'b-2' });

    googleError(mismatch, 400, 'INVALID_ARGUMENT');
    expect((await inspect('conv-1')).messages.map((m) => m.messageId)).toEqual(['q-1']);
  });

  it('records forceFallback, and refuses it without a fallback', async () => {
    const path = '/v1/conversations/conv-1/messages?forceFallback=true';

    googleError(await call('POST', path, textMessage('m-1')), 400, 'INVALID_ARGUMENT');
    const answer = await call('POST', path, { ...textMessage('m-2'), fallback: 'Hi' });

    expect(answer.status).toBe(200);
    expect((await inspect('conv-1')).messages.map((m) => [m.messageId, m.forceFallback])).toEqual([
      ['m-2', true],
    ]);
  });

  it('accepts requests without Authorization but records that, and refuses non-bearer schemes', async () => {
    const path = '/v1/conversations/conv-1/messages';

    expect((await call('POST', path, textMessage('m-1'), {})).status).toBe(200);
    const basic = await call('POST', path, textMessage('m-2'), { authorization: 'Basic abc' });

    googleError(basic, 401, 'UNAUTHENTICATED');
    expect((await inspect('conv-1')).messages.map((m) => m.hasAuthorization)).toEqual([false]);
  });
});

describe('events, surveys and receipts', () => {
  beforeEach(() => start());

  it('records every kind with one seq shared across kinds and conversations', async () => {
    const sends = [
      () => sendMessage('conv-a', 'm-1'),
      () => sendEvent('conv-b', 'e-1'),
      () => sendSurvey('conv-a', 's-1'),
      () => sendReceipt('conv-b', 'user-m-1'),
      () => sendEvent('conv-a', 'e-1'),
      () => sendMessage('conv-b', 'm-1'),
    ];
    for (const send of sends) expect((await send()).status).toBe(200);

    const a = await inspect('conv-a');
    const b = await inspect('conv-b');
    const timeline = [a, b]
      .flatMap((r) => [
        ...r.messages.map((m) => ({ kind: 'message', ...m })),
        ...r.events.map((e) => ({ kind: 'event', ...e })),
        ...r.surveys.map((s) => ({ kind: 'survey', ...s })),
        ...r.receipts.map((x) => ({ kind: 'receipt', ...x })),
      ])
      .sort((x, y) => x.seq - y.seq)
      .map((item) => `${item.seq} ${item.kind} ${item.conversationId}`);
    expect(timeline).toEqual([
      '1 message conv-a',
      '2 event conv-b',
      '3 survey conv-a',
      '4 receipt conv-b',
      '5 event conv-a',
      '6 message conv-b',
    ]);
    expect(a.surveys).toEqual([expect.objectContaining({ surveyId: 's-1', body: {}, seq: 3 })]);
    expect(b.receipts).toEqual([
      expect.objectContaining({ messageId: 'user-m-1', body: { receiptType: 'READ' }, seq: 4 }),
    ]);
    expect(a.events).toEqual([
      expect.objectContaining({
        eventId: 'e-1',
        body: { eventType: 'TYPING_STARTED', representative: bot },
      }),
    ]);
  });

  it('echoes created resources with Google-style names', async () => {
    expect((await sendEvent('c', 'e-1')).body).toMatchObject({
      name: 'conversations/c/events/e-1',
    });
    expect((await sendSurvey('c', 's-1')).body).toEqual({ name: 'conversations/c/surveys/s-1' });
    expect((await sendReceipt('c', 'm-9')).body).toEqual({
      name: 'conversations/c/messages/m-9/receipt',
      receiptType: 'READ',
    });
  });

  it('answers repeated event and survey IDs with 409', async () => {
    expect((await sendEvent('c', 'e-1')).status).toBe(200);
    expect((await sendSurvey('c', 's-1')).status).toBe(200);

    googleError(await sendEvent('c', 'e-1'), 409, 'ALREADY_EXISTS');
    googleError(await sendSurvey('c', 's-1'), 409, 'ALREADY_EXISTS');
    const record = await inspect('c');
    expect([record.events.length, record.surveys.length]).toEqual([1, 1]);
  });

  it('requires eventId and surveyId', async () => {
    const event = { eventType: 'TYPING_STOPPED', representative: bot };
    const noEvent = await call('POST', '/v1/conversations/c/events', event);
    const noSurvey = await call('POST', '/v1/conversations/c/surveys?surveyId=', {});

    expect(googleError(noEvent, 400, 'INVALID_ARGUMENT').message).toContain('eventId');
    expect(googleError(noSurvey, 400, 'INVALID_ARGUMENT').message).toContain('surveyId');
    expect(itemCount(await inspect('c'))).toBe(0);
  });

  it('accepts a survey with an empty body', async () => {
    const answer = await call('POST', '/v1/conversations/c/surveys?surveyId=s-1', '');
    expect(answer.status).toBe(200);
  });

  it('refuses a second survey within 24 hours with 429, per the injected clock', async () => {
    expect((await sendSurvey('c', 's-1')).status).toBe(200);

    now = new Date(T0.getTime() + 24 * HOUR - 1);
    const tooSoon = await sendSurvey('c', 's-2');
    const otherConversation = await sendSurvey('d', 's-2');
    now = new Date(T0.getTime() + 24 * HOUR);
    const nextDay = await sendSurvey('c', 's-3');

    googleError(tooSoon, 429, 'RESOURCE_EXHAUSTED');
    expect(otherConversation.status).toBe(200);
    expect(nextDay.status).toBe(200);
    expect((await inspect('c')).surveys.map((s) => [s.surveyId, s.receivedAt])).toEqual([
      ['s-1', T0.toISOString()],
      ['s-3', new Date(T0.getTime() + 24 * HOUR).toISOString()],
    ]);
  });

  it('validates event and receipt bodies', async () => {
    const badEvent = await call('POST', '/v1/conversations/c/events?eventId=e-1', {
      eventType: 'WAVING',
      representative: bot,
    });
    const badReceipt = await call('PATCH', '/v1/conversations/c/messages/m/receipt', {
      receiptType: 'DELIVERED',
    });

    expect(googleError(badEvent, 400, 'INVALID_ARGUMENT').message).toMatch(/^eventType: /);
    expect(googleError(badReceipt, 400, 'INVALID_ARGUMENT').message).toMatch(/^receiptType: /);
    expect(itemCount(await inspect('c'))).toBe(0);
  });
});

describe('conversations the agent may not use', () => {
  it('answers PERMISSION_DENIED for conversations configured at construction', async () => {
    await start({ unknownConversations: ['gone'] });

    googleError(await sendMessage('gone', 'm-1'), 403, 'PERMISSION_DENIED');
    googleError(await sendEvent('gone', 'e-1'), 403, 'PERMISSION_DENIED');
    expect(itemCount(await inspect('gone'))).toBe(0);
  });

  it('answers PERMISSION_DENIED for conversations configured over HTTP, replacing the list', async () => {
    await start({ unknownConversations: ['gone'] });

    const set = await call('POST', '/_control/unknown-conversations', {
      conversationIds: ['other'],
    });

    expect(set.body).toEqual({ conversationIds: ['other'] });
    googleError(await sendSurvey('other', 's-1'), 403, 'PERMISSION_DENIED');
    expect((await sendMessage('gone', 'm-1')).status).toBe(200);
  });
});

describe('fault injection', () => {
  it('fails every request with the configured code and records nothing', async () => {
    await start();
    const set = await call('POST', '/_control/faults', { rate: 1, codes: [503] });
    expect(set.body).toEqual({ rate: 1, codes: [503], latencyMs: 0 });

    const answers = [await sendMessage('c', 'm-1'), await sendEvent('c', 'e-1')];

    for (const answer of answers) {
      expect(googleError(answer, 503, 'UNAVAILABLE').message).toBeTruthy();
      expect(answer.headers.get('x-standin-fault')).toBe('injected');
    }
    expect(itemCount(await inspect('c'))).toBe(0);
  });

  it('records exactly the requests that succeeded at a seeded rate of 0.3', async () => {
    await start({ faults: { rate: 0.3, codes: [500, 503, 429] }, random: seededRandom(2024) });
    const ok: string[] = [];
    const failed: number[] = [];

    for (let i = 0; i < 40; i += 1) {
      const answer = await sendMessage('c', `m-${i}`);
      if (answer.status === 200) ok.push(`m-${i}`);
      else failed.push(ApiErrorBody.parse(answer.body).error.code);
    }

    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length).toBeGreaterThan(0);
    expect(failed.filter((code) => ![500, 503, 429].includes(code))).toEqual([]);
    expect((await inspect('c')).messages.map((m) => m.messageId)).toEqual(ok);
  });

  it('answers injected faults with the matching Google status', async () => {
    const expected = [
      [429, 'RESOURCE_EXHAUSTED'],
      [500, 'INTERNAL'],
      [503, 'UNAVAILABLE'],
    ] as const;
    await start({ faults: { rate: 1 } });
    for (const [code, status] of expected) {
      await call('POST', '/_control/faults', { codes: [code] });
      googleError(await sendMessage('c', 'm-1'), code, status);
    }
  });

  it('refuses fault settings out of range, naming the field', async () => {
    await start();
    const answer = await call('POST', '/_control/faults', { rate: 2, codes: [418] });
    const { message } = googleError(answer, 400, 'INVALID_ARGUMENT');
    expect(message).toMatch(/rate: .*; codes\.0: fault codes must be among/);
  });
});

describe('inspection', () => {
  beforeEach(() => start());

  it('long-polls until the conversation holds N items', async () => {
    const polled = call('GET', '/_inspect/conversations/c?waitFor=3&timeoutMs=30000');
    await untilWaiting(1);

    await sendMessage('c', 'm-1');
    await sendEvent('c', 'e-1');
    await sendReceipt('c', 'user-1');
    const answer = await polled;

    expect(answer.headers.get('x-standin-wait')).toBe('satisfied');
    expect(itemCount(answer.body as ConversationRecord)).toBe(3);
  });

  it('says when a long poll timed out', async () => {
    const answer = await call('GET', '/_inspect/conversations/c?waitFor=1&timeoutMs=0');
    expect(answer.headers.get('x-standin-wait')).toBe('timeout');
    expect(answer.body).toEqual({ messages: [], events: [], surveys: [], receipts: [] });
  });

  it('answers a pending long poll when the stand-in closes', async () => {
    const polled = call('GET', '/_inspect/conversations/c?waitFor=1&timeoutMs=60000');
    await untilWaiting(1);

    await running().close();

    expect((await polled).headers.get('x-standin-wait')).toBe('timeout');
  });

  it('lists conversations with counts and resets', async () => {
    await sendMessage('c-1', 'm-1');
    await sendMessage('c-1', 'm-1'); // refused: not counted
    await sendEvent('c-2', 'e-1');

    const list = await call('GET', '/_inspect/conversations');
    expect((list.body as { conversations: ConversationSummary[] }).conversations).toEqual([
      { conversationId: 'c-1', messages: 1, events: 0, surveys: 0, receipts: 0 },
      { conversationId: 'c-2', messages: 0, events: 1, surveys: 0, receipts: 0 },
    ]);

    expect((await call('DELETE', '/_inspect')).status).toBe(200);
    expect((await call('GET', '/_inspect/conversations')).body).toEqual({ conversations: [] });
    expect((await sendMessage('c-1', 'm-1')).status).toBe(200);
    expect((await inspect('c-1')).messages[0]?.seq).toBe(1);
  });

  it('answers /healthz and 404s unknown paths in Google’s shape', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    googleError(await call('GET', '/v1/conversations/c/messages'), 404, 'NOT_FOUND');
    googleError(await call('POST', '/v2/anything', {}), 404, 'NOT_FOUND');
  });
});

describe('loadStandinConfig', () => {
  it('has the documented defaults', () => {
    expect(loadStandinConfig({})).toEqual({
      port: 8082,
      host: '127.0.0.1',
      faults: { rate: 0, codes: [500, 503, 429], latencyMs: 0 },
    });
  });

  it('reads every variable', () => {
    expect(
      loadStandinConfig({
        BM_STANDIN_PORT: '9000',
        BM_STANDIN_HOST: '0.0.0.0',
        BM_STANDIN_FAULT_RATE: '0.25',
        BM_STANDIN_FAULT_CODES: '503, 429',
        BM_STANDIN_LATENCY_MS: '15',
        BM_STANDIN_FAULT_SEED: '42',
      }),
    ).toEqual({
      port: 9000,
      host: '0.0.0.0',
      faults: { rate: 0.25, codes: [503, 429], latencyMs: 15 },
      faultSeed: 42,
    });
  });

  it('fails naming every bad variable at once', () => {
    const load = () =>
      loadStandinConfig({
        BM_STANDIN_PORT: 'http',
        BM_STANDIN_FAULT_RATE: '1.5',
        BM_STANDIN_FAULT_CODES: '500,418',
        BM_STANDIN_LATENCY_MS: '-1',
      });

    expect(load).toThrow(StandinConfigError);
    for (const name of [
      'BM_STANDIN_PORT',
      'BM_STANDIN_FAULT_RATE',
      'BM_STANDIN_FAULT_CODES',
      'BM_STANDIN_LATENCY_MS',
    ]) {
      expect(load).toThrow(name);
    }
  });
});
