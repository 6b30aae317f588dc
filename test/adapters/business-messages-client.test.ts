import { OAuth2Client } from 'google-auth-library';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BusinessMessagesClient,
  parseRetryAfter,
} from '../../functions/adapters/business-messages-client';
import type { Message } from '../../functions/core/business-messages-api';
import {
  createStandin,
  seededRandom,
  type LogEntry,
  type Standin,
} from '../../functions/local/bm-api-standin/server';
import { ApiError } from '../../functions/ports/business-messages';

// Google's generated client over real HTTP, against the stand-in on an ephemeral port.

const T0 = new Date('2026-11-25T12:00:00.000Z');
const CONVERSATION = 'conv-adapter-1';
const bot = { representativeType: 'BOT' } as const;
const text = (messageId: string): Message => ({ messageId, representative: bot, text: 'Hello' });

let standin: Standin;
let rootUrl: string;
let requests: LogEntry[];

beforeEach(async () => {
  requests = [];
  standin = createStandin({
    now: () => T0,
    random: seededRandom(1),
    log: (entry) => requests.push(entry),
  });
  ({ url: rootUrl } = await standin.listen(0, '127.0.0.1'));
});

afterEach(() => standin.close());

const client = (options: Partial<ConstructorParameters<typeof BusinessMessagesClient>[0]> = {}) =>
  new BusinessMessagesClient({ rootUrl, auth: 'none', timeoutMs: 5_000, ...options });

const accepted = (conversationId = CONVERSATION) =>
  standin.state.store.conversation(conversationId);

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('the four calls reach the right path, query and body', () => {
  it('messages.create: POST /v1/conversations/C/messages with the message as body', async () => {
    const message: Message = {
      messageId: 'm-1',
      representative: { representativeType: 'HUMAN', displayName: 'Ana' },
      text: 'We open at **9**',
      containsRichText: true,
      suggestions: [{ reply: { text: 'Thanks', postbackData: 'thanks' } }],
    };
    const outcome = await client().createMessage(CONVERSATION, message);
    expect(outcome).toEqual({
      result: 'created',
      name: `conversations/${CONVERSATION}/messages/m-1`,
    });
    const [recorded] = accepted().messages;
    expect(recorded).toMatchObject({ messageId: 'm-1', forceFallback: false, body: message });
    expect(requests.map((r) => r.method)).toEqual(['messages.create']);
  });

  it('messages.create with forceFallback: the query parameter reaches the API', async () => {
    const message: Message = { ...text('m-ff'), fallback: 'Hello (plain)' };
    await client().createMessage(CONVERSATION, message, { forceFallback: true });
    expect(accepted().messages[0]).toMatchObject({ messageId: 'm-ff', forceFallback: true });
  });

  it('events.create: POST …/events?eventId=E with the event as body', async () => {
    const event = {
      eventType: 'REPRESENTATIVE_JOINED',
      representative: { representativeType: 'HUMAN', displayName: 'Ana' },
    } as const;
    const outcome = await client().createEvent(CONVERSATION, 'e-1', event);
    expect(outcome).toEqual({
      result: 'created',
      name: `conversations/${CONVERSATION}/events/e-1`,
    });
    expect(accepted().events).toEqual([expect.objectContaining({ eventId: 'e-1', body: event })]);
    expect(requests.map((r) => r.method)).toEqual(['events.create']);
  });

  it('surveys.create: POST …/surveys?surveyId=S with an empty body', async () => {
    const outcome = await client().createSurvey(CONVERSATION, 's-1');
    expect(outcome).toEqual({
      result: 'created',
      name: `conversations/${CONVERSATION}/surveys/s-1`,
    });
    expect(accepted().surveys).toEqual([expect.objectContaining({ surveyId: 's-1', body: {} })]);
    expect(requests.map((r) => r.method)).toEqual(['surveys.create']);
  });

  it('messages.updateReceipt: PATCH …/messages/M/receipt with {receiptType: READ}', async () => {
    const outcome = await client().updateReceipt(CONVERSATION, 'user-msg-1', 'READ');
    expect(outcome).toEqual({
      result: 'created',
      name: `conversations/${CONVERSATION}/messages/user-msg-1/receipt`,
    });
    expect(accepted().receipts).toEqual([
      expect.objectContaining({ messageId: 'user-msg-1', body: { receiptType: 'READ' } }),
    ]);
    expect(requests.map((r) => r.method)).toEqual(['messages.updateReceipt']);
  });

  it('IDs are path-encoded: a conversation ID with reserved characters stays one segment', async () => {
    const odd = 'conv/with spaces?&#';
    await client().createMessage(odd, text('m/1?'));
    await client().updateReceipt(odd, 'u/1 #', 'READ');
    expect(accepted(odd).messages[0]?.messageId).toBe('m/1?');
    expect(accepted(odd).receipts[0]?.messageId).toBe('u/1 #');
  });

  it('auth none sends no Authorization header; an auth client sends its bearer token', async () => {
    await client().createMessage(CONVERSATION, text('m-anon'));
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3_600_000 });
    await client({ auth }).createMessage(CONVERSATION, text('m-auth'));
    expect(accepted().messages.map((m) => [m.messageId, m.hasAuthorization])).toEqual([
      ['m-anon', false],
      ['m-auth', true],
    ]);
  });
});

describe('answers other than 200', () => {
  it('409 ALREADY_EXISTS is an outcome, not an error, for messages, events and surveys', async () => {
    const api = client();
    const event = { eventType: 'TYPING_STARTED', representative: bot } as const;
    await api.createMessage(CONVERSATION, text('m-dup'));
    await api.createEvent(CONVERSATION, 'e-dup', event);
    await api.createSurvey(CONVERSATION, 's-dup');
    await expect(api.createMessage(CONVERSATION, text('m-dup'))).resolves.toEqual({
      result: 'already-exists',
    });
    await expect(api.createEvent(CONVERSATION, 'e-dup', event)).resolves.toEqual({
      result: 'already-exists',
    });
    await expect(api.createSurvey(CONVERSATION, 's-dup')).resolves.toEqual({
      result: 'already-exists',
    });
    expect(accepted().messages).toHaveLength(1);
    expect(accepted().events).toHaveLength(1);
    expect(accepted().surveys).toHaveLength(1);
  });

  it('403 PERMISSION_DENIED (a conversation the agent may not use) is a permanent ApiError', async () => {
    standin.state.controls.unknownConversations.add('conv-unknown');
    const error = await caught(client().createMessage('conv-unknown', text('m-403')));
    expect(error).toMatchObject({
      call: 'messages.create',
      status: 403,
      code: 'PERMISSION_DENIED',
      retryable: false,
      apiMessage: 'The caller does not have permission',
    });
    expect(error.message).toMatch(/PERMISSION_DENIED \(HTTP 403\)/);
  });

  it('503 UNAVAILABLE is a retryable ApiError, after exactly one request (no in-process retry)', async () => {
    standin.state.controls.faults = { rate: 1, codes: [503], latencyMs: 0 };
    const error = await caught(client().createMessage(CONVERSATION, text('m-503')));
    expect(error).toMatchObject({ status: 503, code: 'UNAVAILABLE', retryable: true });
    expect(requests).toHaveLength(1);
  });

  it.each([
    [500, 'INTERNAL', true],
    [504, 'DEADLINE_EXCEEDED', true],
    [429, 'RESOURCE_EXHAUSTED', true],
    [400, 'INVALID_ARGUMENT', false],
    [401, 'UNAUTHENTICATED', true],
    [404, 'NOT_FOUND', false],
  ] as const)('injected %i → %s, retryable %s', async (code, status, retryable) => {
    standin.state.controls.faults = { rate: 1, codes: [code], latencyMs: 0 };
    const error = await caught(
      client().createEvent(CONVERSATION, 'e-x', {
        eventType: 'TYPING_STOPPED',
        representative: bot,
      }),
    );
    expect(error).toMatchObject({ status: code, code: status, retryable });
    expect(requests).toHaveLength(1);
  });

  it('RESOURCE_EXHAUSTED for a second survey within 24 hours is permanent', async () => {
    const api = client();
    await api.createSurvey(CONVERSATION, 's-first');
    const error = await caught(api.createSurvey(CONVERSATION, 's-second'));
    expect(error).toMatchObject({
      call: 'surveys.create',
      status: 429,
      code: 'RESOURCE_EXHAUSTED',
      retryable: false,
    });
  });

  it('no answer within the timeout is a retryable DEADLINE_EXCEEDED', async () => {
    standin.state.controls.faults = { rate: 0, codes: [500], latencyMs: 10_000 };
    const error = await caught(
      client({ timeoutMs: 200 }).createMessage(CONVERSATION, text('m-slow')),
    );
    expect(error).toMatchObject({ status: 0, code: 'DEADLINE_EXCEEDED', retryable: true });
  });

  it('a refused connection is a retryable UNAVAILABLE', async () => {
    const closed = await closedPortUrl();
    const error = await caught(
      client({ rootUrl: closed }).createMessage(CONVERSATION, text('m-x')),
    );
    expect(error).toMatchObject({ status: 0, code: 'UNAVAILABLE', retryable: true });
  });

  it('Retry-After on a 429 is carried on the error', async () => {
    // The stand-in sends no Retry-After; a one-route server does, in Google's error format.
    const server = http.createServer((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(
        JSON.stringify({
          error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const error = await caught(client({ rootUrl: url }).createMessage(CONVERSATION, text('m-q')));
      expect(error).toMatchObject({
        status: 429,
        code: 'RESOURCE_EXHAUSTED',
        retryable: true,
        retryAfterMs: 7_000,
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['7', 7_000],
    [' 0 ', 0],
    ['Wed, 25 Nov 2026 12:00:30 GMT', 30_000],
    ['Wed, 25 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p → %p ms', (value, expected) => {
    expect(parseRetryAfter(value, T0)).toBe(expected);
  });
});

async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/`;
}
