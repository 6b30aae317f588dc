import {
  contentOf,
  parseInboundEvent,
  type InboundEvent,
} from '../../functions/core/inbound-event';
import { sha256Digest } from '../../functions/platform/digest';
import { CONVERSATION, fixtures, placeholderTypingEvent } from '../fixtures/webhook-events';

const parse = (body: unknown): InboundEvent => {
  const result = parseInboundEvent(body, sha256Digest);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
};

describe('parseInboundEvent: every kind Google sends', () => {
  const cases: {
    name: keyof typeof fixtures;
    expected: Partial<InboundEvent> & Record<string, unknown>;
  }[] = [
    {
      name: 'text',
      expected: {
        kind: 'text',
        text: 'Hello, are you open on Sunday?',
        messageId: 'a1b2c3d4-0001',
        dedupeKey: 'r:7c9e6679-7425-40de-944b-e07fc1f90ae7',
        occurredAt: '2026-11-25T10:15:30.123456Z',
      },
    },
    { name: 'image', expected: { kind: 'image', messageId: 'a1b2c3d4-0002' } },
    {
      name: 'readReceipts',
      expected: {
        kind: 'receipts',
        receipts: [
          { messageId: 'bot-reply-1', receiptType: 'READ' },
          { messageId: 'bot-reply-2', receiptType: 'READ' },
        ],
      },
    },
    { name: 'typing', expected: { kind: 'typing', isTyping: true } },
    { name: 'liveAgentRequest', expected: { kind: 'liveAgentRequest' } },
    {
      name: 'suggestion',
      expected: {
        kind: 'suggestion',
        postbackData: 'intent:hours',
        suggestionType: 'REPLY',
        inReplyTo: 'bot-reply-2',
      },
    },
    {
      name: 'survey',
      expected: {
        kind: 'survey',
        surveyId: 'survey-77',
        rating: 'VERY_SATISFIED',
        questionIndex: 1,
      },
    },
    {
      name: 'authentication',
      expected: {
        kind: 'authentication',
        code: '4/0AX4XfWh',
        redirectUri: 'https://business.google.com/callback',
      },
    },
    { name: 'dialogflow', expected: { kind: 'text', dialogflow: { autoResponded: false } } },
    { name: 'unknownKind', expected: { kind: 'unknown', payloadKeys: ['feedbackResponse'] } },
  ];

  it.each(cases)('$name', ({ name, expected }) => {
    const event = parse(fixtures[name]);
    expect(event).toMatchObject({
      conversationId: CONVERSATION,
      brandId: 'velo-cafe',
      agentId: 'velo-cafe-agent',
      ...expected,
    });
  });

  it('keeps where the conversation came from', () => {
    expect(parse(fixtures.text).origin).toEqual({
      entryPoint: 'PLACESHEET',
      placeId: 'ChIJN1t_tDeuEmsRUsoyG83frY4',
      resolvedLocale: 'en',
      userDeviceLocale: 'en-GB',
    });
    expect(parse(fixtures.typing).origin).toEqual({});
  });

  it('accepts the reference spelling `type` and `redirectUri` too', () => {
    const { suggestionType: _spelledByTheTestFramework, ...response } =
      fixtures.suggestion.suggestionResponse;
    const suggestion = {
      ...fixtures.suggestion,
      suggestionResponse: { ...response, type: 'ACTION' },
    };
    expect(parse(suggestion)).toMatchObject({ kind: 'suggestion', suggestionType: 'ACTION' });
    const auth = {
      ...fixtures.authentication,
      authenticationResponse: {
        redirectUri: 'https://x.example/cb',
        errorDetails: { error: 'access_denied' },
      },
    };
    expect(parse(auth)).toMatchObject({
      redirectUri: 'https://x.example/cb',
      error: 'access_denied',
    });
  });

  it('accepts "false" strings and real booleans for typing', () => {
    const stopped = {
      ...fixtures.typing,
      userStatus: { isTyping: false, createTime: '2026-11-25T10:17:59Z' },
    };
    expect(parse(stopped)).toMatchObject({ kind: 'typing', isTyping: false });
    const stoppedText = {
      ...fixtures.typing,
      userStatus: { isTyping: 'false', createTime: '2026-11-25T10:17:59Z' },
    };
    expect(parse(stoppedText)).toMatchObject({ kind: 'typing', isTyping: false });
  });

  it('derives a stable dedupe key for receipts, which carry no requestId', () => {
    const a = parse(fixtures.readReceipts);
    const b = parse(structuredClone(fixtures.readReceipts));
    const other = parse(fixtures.deliveredReceipt);
    expect(a.dedupeKey).toMatch(/^d:[0-9a-f]{32}$/);
    expect(b.dedupeKey).toBe(a.dedupeKey);
    expect(other.dedupeKey).not.toBe(a.dedupeKey);
  });
});

describe('parseInboundEvent: what is refused, and why', () => {
  const cases: { name: string; body: unknown; reason: RegExp }[] = [
    {
      name: 'Google placeholder payload',
      body: placeholderTypingEvent,
      reason: /agent|createTime|isTyping/,
    },
    { name: 'not an object', body: [1, 2], reason: /expected object/ },
    {
      name: 'missing conversationId',
      body: { ...fixtures.text, conversationId: undefined },
      reason: /conversationId/,
    },
    {
      name: 'malformed agent',
      body: { ...fixtures.text, agent: 'agents/x' },
      reason: /agent: expected brands/,
    },
    {
      name: 'two payloads at once',
      body: {
        ...fixtures.text,
        userStatus: { isTyping: true, createTime: '2026-11-25T10:17:59Z' },
      },
      reason: /exactly one payload/,
    },
    {
      name: 'userStatus with neither field',
      body: { ...fixtures.typing, userStatus: { createTime: '2026-11-25T10:17:59Z' } },
      reason: /isTyping or requestedLiveAgent/,
    },
    {
      name: 'receipt of an unknown type',
      body: {
        ...fixtures.readReceipts,
        receipts: {
          receipts: [{ message: `conversations/${CONVERSATION}/messages/m`, receiptType: 'SEEN' }],
          createTime: '2026-11-25T10:16:59Z',
        },
      },
      reason: /receiptType/,
    },
  ];

  it.each(cases)('$name', ({ body, reason }) => {
    const result = parseInboundEvent(body, sha256Digest);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('parseInboundEvent: byte limits, so every ID fits Pub/Sub and Firestore', () => {
  // Pub/Sub takes 1024 bytes per attribute value and ordering key, Firestore 1500 per document
  // ID; a character of JavaScript may take 3 bytes, so the limits are counted in UTF-8.
  const reasonOf = (body: unknown): string => {
    const result = parseInboundEvent(body, sha256Digest);
    return result.ok ? '(accepted)' : result.reason;
  };

  it.each([
    ['conversationId', 512, (id: string) => ({ ...fixtures.text, conversationId: id })],
    ['requestId', 256, (id: string) => ({ ...fixtures.text, requestId: id })],
  ])('%s: up to %d bytes of UTF-8, not characters', (field, limit, body) => {
    // 'é' is 2 bytes: half as many characters reach the limit.
    expect(reasonOf(body('é'.repeat(limit / 2)))).toBe('(accepted)');
    expect(reasonOf(body('é'.repeat(limit / 2 + 1)))).toBe(
      `schema mismatch: ${field}: must be at most ${limit} bytes of UTF-8`,
    );
    // 3-byte characters: far fewer characters than the limit, still too long.
    expect(reasonOf(body('中'.repeat(Math.ceil(limit / 3) + 1)))).toMatch(
      new RegExp(`${field}: must be at most ${limit} bytes`),
    );
  });

  it('agent: up to 512 bytes', () => {
    const agent = (id: string) => ({ ...fixtures.text, agent: `brands/b/agents/${id}` });
    const fits = 512 - 'brands/b/agents/'.length;
    expect(reasonOf(agent('a'.repeat(fits)))).toBe('(accepted)');
    expect(reasonOf(agent('a'.repeat(fits + 1)))).toBe(
      'schema mismatch: agent: must be at most 512 bytes of UTF-8',
    );
  });

  it('the reason never quotes the over-long value', () => {
    expect(reasonOf({ ...fixtures.text, conversationId: 'secret'.repeat(200) })).not.toContain(
      'secret',
    );
  });
});

describe('contentOf: what only content logging may write', () => {
  it('the customer’s words, chip, survey answers and name; nothing for other kinds', () => {
    expect(contentOf(parse(fixtures.text))).toEqual({
      userDisplayName: 'Jane Doe',
      text: 'Hello, are you open on Sunday?',
    });
    expect(contentOf(parse(fixtures.suggestion))).toMatchObject({
      postbackData: expect.any(String),
    });
    expect(contentOf(parse(fixtures.survey))).toEqual({ responseText: 'Yes' });
    expect(contentOf(parse({ ...fixtures.readReceipts, context: undefined }))).toBeUndefined();
  });
});
