import { AgentRecord } from '../../functions/core/agent-record';
import { loadBrandConfig, type BrandConfig } from '../../functions/core/brand-config';
import type { WeeklySchedule } from '../../functions/core/business-hours';
import type { Conversation, MessageLogEntry } from '../../functions/core/conversation';
import { API_ID, InvalidIdError, replyIds } from '../../functions/core/deterministic-ids';
import { PermanentFailure, classifyFailure } from '../../functions/core/failure';
import {
  humanMessageCommand,
  joinedCommand,
  leftCommand,
  readReceiptCommands,
  surveyCommand,
  typingCommand,
} from '../../functions/core/agent-commands';
import {
  claimConversation,
  closeConversation,
  closeRefusal,
  releaseConversation,
  returnToBot,
  seenOf,
} from '../../functions/core/agent-operations';
import { outboundBusMessage } from '../../functions/core/outbound-command';
import { decideQueueNotice, queueKeyOf, queuedAtOf } from '../../functions/core/queue-notice';
import { describeReturn, nextOpening, zonedInstant } from '../../functions/core/next-opening';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import { sha256Digest as digest } from '../../functions/platform/digest';
import { eventOf } from '../support/inbound-events';
import { aConversation } from '../support/conversations';

const ALEX = AgentRecord.parse({
  agentId: 'alex',
  email: 'Alex@Velo-Cafe.example',
  displayName: 'Alex',
  avatarUrl: 'https://velo-cafe.example/alex.png',
  brandIds: ['velo-cafe'],
});
const SAM = AgentRecord.parse({
  agentId: 'sam',
  email: 'sam@velo-cafe.example',
  displayName: 'Sam',
  brandIds: ['velo-cafe'],
});
const OTHER = AgentRecord.parse({
  agentId: 'olga',
  email: 'olga@other.example',
  displayName: 'Olga',
  brandIds: ['other-brand'],
});

const CREATED = '2026-11-25T10:00:00.000Z';

function conversation(patch: Partial<Conversation> = {}): Conversation {
  return aConversation({
    id: 'conv-1',
    state: 'queued',
    locale: 'en',
    lastUserMessageAt: CREATED,
    createdAt: CREATED,
    updatedAt: CREATED,
    version: 3,
    ...patch,
  });
}

/** The sample brand with other human hours. */
function brandWith(human: Partial<BrandConfig['hours']['human']>): BrandConfig {
  const doc = sampleBrandDocument() as { hours: { human: Record<string, unknown> } };
  Object.assign(doc.hours.human, human);
  return loadBrandConfig(doc);
}

/** Tuesday to Saturday, 09:00-18:00 in Paris. */
const WEEKDAYS_PARIS: WeeklySchedule = {
  timeZone: 'Europe/Paris',
  weekly: {
    tue: ['09:00-18:00'],
    wed: ['09:00-18:00'],
    thu: ['09:00-18:00'],
    fri: ['09:00-18:00'],
    sat: ['09:00-12:00', '14:00-18:00'],
  },
};

describe('nextOpening', () => {
  it.each([
    {
      name: 'Saturday evening → Tuesday 09:00 Paris (UTC+1 in winter)',
      now: '2026-11-28T20:00:00Z',
      expected: '2026-12-01T08:00:00.000Z',
    },
    {
      name: 'Saturday lunch break → 14:00 the same day',
      now: '2026-11-28T11:30:00Z',
      expected: '2026-11-28T13:00:00.000Z',
    },
    {
      name: 'Wednesday before opening → 09:00 that day',
      now: '2026-11-25T06:00:00Z',
      expected: '2026-11-25T08:00:00.000Z',
    },
    {
      name: 'summer time: Monday → Tuesday 09:00 Paris is 07:00 UTC',
      now: '2026-06-01T12:00:00Z',
      expected: '2026-06-02T07:00:00.000Z',
    },
  ])('$name', ({ now, expected }) => {
    expect(nextOpening(WEEKDAYS_PARIS, new Date(now))?.toISOString()).toBe(expected);
  });

  it('is now when open', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    expect(nextOpening(WEEKDAYS_PARIS, now)).toBe(now);
  });

  it('skips closed dates (holidays)', () => {
    const schedule = { ...WEEKDAYS_PARIS, closedDates: ['2026-12-01', '2026-12-02'] };
    expect(nextOpening(schedule, new Date('2026-11-28T20:00:00Z'))?.toISOString()).toBe(
      '2026-12-03T08:00:00.000Z',
    );
  });

  it('is undefined for a schedule that never opens', () => {
    expect(
      nextOpening({ timeZone: 'Europe/Paris', weekly: {} }, new Date('2026-11-25T12:00:00Z')),
    ).toBeUndefined();
  });

  it('crosses the change to summer time', () => {
    // 29 March 2026: Paris jumps from 02:00 to 03:00. Sunday-only hours from 10:00.
    const sunday = { timeZone: 'Europe/Paris', weekly: { sun: ['10:00-12:00'] } };
    expect(nextOpening(sunday, new Date('2026-03-29T00:30:00Z'))?.toISOString()).toBe(
      '2026-03-29T08:00:00.000Z',
    );
    expect(zonedInstant('Europe/Paris', '2026-03-28', 600).toISOString()).toBe(
      '2026-03-28T09:00:00.000Z',
    );
  });

  it('works in time zones west of UTC', () => {
    const ny = { timeZone: 'America/New_York', weekly: { mon: ['09:00-17:00'] } };
    // Friday 27 November 2026, 20:00 in New York → Monday 30 November 09:00 EST (14:00 UTC).
    expect(nextOpening(ny, new Date('2026-11-28T01:00:00Z'))?.toISOString()).toBe(
      '2026-11-30T14:00:00.000Z',
    );
  });
});

describe('describeReturn', () => {
  const at = new Date('2026-12-01T08:00:00Z');
  it('words the opening in the customer language, in the brand time zone', () => {
    const en = describeReturn(at, 'Europe/Paris', 'en');
    expect(en).toMatch(/^Our team will be back on Tuesday, December 1 at 9:00\s?AM .+\.$/);
    const fr = describeReturn(at, 'Europe/Paris', 'fr');
    expect(fr).toMatch(/^Notre équipe sera de retour le mardi 1 décembre à 09:00 .+\.$/);
  });
  it('falls back to English for a language it has no sentence for', () => {
    expect(describeReturn(at, 'Europe/Paris', 'ja')).toMatch(/^Our team will be back on Tuesday/);
  });
});

describe('decideQueueNotice', () => {
  const brand = loadBrandConfig(sampleBrandDocument());
  const request = eventOf('liveAgentRequest', { conversationId: 'conv-1' });
  const message = eventOf('text', { conversationId: 'conv-1', requestId: 'another' });
  const at = new Date('2026-11-25T12:00:00Z');

  it('inside human hours: someone is coming, from the bot, in the customer language', () => {
    const notice = decideQueueNotice({
      brand,
      conversation: conversation(),
      event: request,
      at,
      digest,
    });
    expect(notice).toMatchObject({ humansAvailable: true, returnToBot: false, locale: 'en' });
    expect(notice.outbound).toHaveLength(1);
    expect(notice.outbound[0]?.message).toMatchObject({
      representative: { representativeType: 'BOT', displayName: 'Vélo Café' },
      text: expect.stringContaining('a member of our team will be with you shortly'),
    });
    const fr = decideQueueNotice({
      brand,
      conversation: conversation({ locale: 'fr' }),
      event: eventOf('liveAgentRequest', {
        conversationId: 'conv-1',
        patch: { context: { resolvedLocale: 'fr' } },
      }),
      at,
      digest,
    });
    expect(fr.locale).toBe('fr');
    expect(fr.outbound[0]?.message.text).toContain('un membre de notre équipe');
  });

  it('has one ID per stay in the queue, whatever event or redelivery asks', () => {
    const first = decideQueueNotice({
      brand,
      conversation: conversation(),
      event: request,
      at,
      digest,
    });
    const again = decideQueueNotice({
      brand,
      conversation: conversation({ version: 9, updatedAt: '2026-11-25T12:05:00.000Z' }),
      event: message,
      at: new Date('2026-11-25T12:05:00Z'),
      digest,
    });
    const id = first.outbound[0]?.message.messageId ?? '';
    expect(id).toMatch(API_ID);
    expect(again.outbound[0]?.message.messageId).toBe(id);
    const requeued = decideQueueNotice({
      brand,
      conversation: conversation({ stateChangedAt: '2026-11-25T11:00:00.000Z' }),
      event: request,
      at,
      digest,
    });
    expect(requeued.outbound[0]?.message.messageId).not.toBe(id);
  });

  it('outside human hours: the offline message with when humans are back', () => {
    const closed = brandWith({ weekly: WEEKDAYS_PARIS.weekly, returnToBotWhenOffline: false });
    const notice = decideQueueNotice({
      brand: closed,
      conversation: conversation(),
      event: request,
      at: new Date('2026-11-28T20:00:00Z'),
      digest,
    });
    expect(notice).toMatchObject({
      humansAvailable: false,
      returnToBot: false,
      nextOpening: '2026-12-01T08:00:00.000Z',
    });
    expect(notice.outbound).toHaveLength(1);
    const sent = notice.outbound[0]?.message;
    expect(sent?.text).toMatch(/^The team is away right now/);
    expect(sent?.text).toMatch(/\n\nOur team will be back on Tuesday, December 1 at 9:00/);
    // The brand's chips stay on the message.
    expect(sent?.suggestions).toHaveLength(4);
    const coming = decideQueueNotice({
      brand,
      conversation: conversation(),
      event: request,
      at,
      digest,
    });
    expect(sent?.messageId).not.toBe(coming.outbound[0]?.message.messageId);
  });

  it('returns to the bot when the brand says so', () => {
    const closed = brandWith({ weekly: WEEKDAYS_PARIS.weekly, returnToBotWhenOffline: true });
    const notice = decideQueueNotice({
      brand: closed,
      conversation: conversation(),
      event: request,
      at: new Date('2026-11-28T20:00:00Z'),
      digest,
    });
    expect(notice.returnToBot).toBe(true);
  });

  it('sends the date first when the offline message is not a text', () => {
    const card = {
      richCard: {
        standaloneCard: { cardContent: { title: 'We are closed', description: 'See you soon' } },
      },
      fallback: 'We are closed. See you soon.',
    };
    const closed = brandWith({
      weekly: WEEKDAYS_PARIS.weekly,
      returnToBotWhenOffline: false,
      offlineMessage: { en: card, fr: card },
    });
    const notice = decideQueueNotice({
      brand: closed,
      conversation: conversation(),
      event: request,
      at: new Date('2026-11-28T20:00:00Z'),
      digest,
    });
    expect(notice.outbound.map((c) => Object.keys(c.message).sort())).toEqual([
      ['messageId', 'representative', 'text'],
      ['fallback', 'messageId', 'representative', 'richCard'],
    ]);
    expect(notice.outbound[0]?.message.text).toMatch(/^Our team will be back on Tuesday/);
  });

  it('says nothing about a return when the hours never open', () => {
    const never = brandWith({ weekly: {}, returnToBotWhenOffline: true });
    const notice = decideQueueNotice({
      brand: never,
      conversation: conversation(),
      event: request,
      at,
      digest,
    });
    expect(notice.nextOpening).toBeUndefined();
    expect(notice.outbound[0]?.message.text).not.toContain('will be back');
  });
});

describe('the agent operations', () => {
  const queued = conversation();
  const held = conversation({
    state: 'with_agent',
    assignee: { agentId: 'alex', displayName: 'Alex' },
    stateChangedAt: '2026-11-25T12:00:00.000Z',
  });

  it('claim: a queued conversation becomes the agent’s', () => {
    expect(claimConversation(queued, ALEX)).toMatchObject({
      state: 'with_agent',
      assignee: { agentId: 'alex', displayName: 'Alex', avatarUrl: ALEX.avatarUrl },
    });
  });

  it.each([
    { name: 'missing', current: null, agent: ALEX, code: 'NOT_FOUND' },
    { name: 'another brand', current: queued, agent: OTHER, code: 'NOT_FOUND' },
    { name: 'held by another', current: held, agent: SAM, code: 'CONFLICT' },
    { name: 'held by me', current: held, agent: ALEX, code: 'ALREADY_DONE' },
    {
      name: 'with the bot',
      current: conversation({ state: 'bot' }),
      agent: ALEX,
      code: 'CONFLICT',
    },
  ])('claim refused: $name → $code', ({ current, agent, code }) => {
    expect(claimConversation(current, agent)).toMatchObject({ rejected: true, code });
  });

  it('release: only the holder, back to the bot, assignee cleared', () => {
    expect(releaseConversation(held, ALEX, seenOf(held))).toMatchObject({
      state: 'bot',
      assignee: null,
      botMisses: 0,
    });
    expect(releaseConversation(held, SAM, seenOf(held))).toMatchObject({ code: 'FORBIDDEN' });
    expect(releaseConversation(held, OTHER, seenOf(held))).toMatchObject({ code: 'NOT_FOUND' });
    expect(releaseConversation(queued, ALEX, seenOf(queued))).toMatchObject({ code: 'CONFLICT' });
    const reclaimed = { ...held, stateChangedAt: '2026-11-25T13:00:00.000Z' };
    expect(releaseConversation(reclaimed, ALEX, seenOf(held))).toMatchObject({ code: 'CONFLICT' });
  });

  it('close: the holder, or anyone of the brand when no human holds it', () => {
    expect(closeConversation(held, ALEX, seenOf(held))).toMatchObject({ state: 'closed' });
    expect(closeConversation(held, SAM, seenOf(held))).toMatchObject({ code: 'FORBIDDEN' });
    expect(closeConversation(queued, SAM, seenOf(queued))).toMatchObject({ state: 'closed' });
    expect(closeRefusal(conversation({ state: 'closed' }), ALEX)).toMatchObject({
      code: 'ALREADY_DONE',
    });
  });

  it('return to the bot: only the stay in the queue that was announced', () => {
    const key = queueKeyOf(queued);
    expect(returnToBot(queued, key)).toMatchObject({ state: 'bot' });
    const later = { ...queued, stateChangedAt: '2026-11-25T13:00:00.000Z' };
    expect(returnToBot(later, key)).toMatchObject({ rejected: true });
    expect(returnToBot(held, key)).toMatchObject({ rejected: true });
  });

  it('a stay in the queue: its time for people, its key for IDs', () => {
    expect(queuedAtOf(queued)).toBe(CREATED);
    expect(queueKeyOf(queued)).toBe('changed:never');
    const requeued = { ...queued, stateChangedAt: CREATED };
    expect(queueKeyOf(requeued)).not.toBe(queueKeyOf(queued));
    const recorded = { ...queued, queuedAt: '2026-11-25T11:11:11.000Z' } as Conversation;
    expect(queuedAtOf(recorded)).toBe('2026-11-25T11:11:11.000Z');
    expect(queueKeyOf(recorded)).toBe('queued:2026-11-25T11:11:11.000Z');
  });
});

describe('what the agent API sends', () => {
  const held = conversation({
    state: 'with_agent',
    assignee: {
      agentId: 'alex',
      displayName: 'Alex',
      avatarUrl: 'https://velo-cafe.example/a.png',
    },
    stateChangedAt: '2026-11-25T12:00:00.000Z',
  });
  const ctx = { causedBy: 'agent-api:test', createdAt: '2026-11-25T12:00:01.000Z', digest };

  it('JOINED and LEFT of one assignment: HUMAN, the agent’s name and avatar, stable IDs', () => {
    const joined = joinedCommand(held, ctx);
    expect(joined.event).toEqual({
      eventType: 'REPRESENTATIVE_JOINED',
      representative: {
        representativeType: 'HUMAN',
        displayName: 'Alex',
        avatarImage: 'https://velo-cafe.example/a.png',
      },
    });
    expect(joinedCommand(held, { ...ctx, createdAt: 'later' }).eventId).toBe(joined.eventId);
    const left = leftCommand(held, ctx);
    expect(left.event.eventType).toBe('REPRESENTATIVE_LEFT');
    expect(left.eventId).not.toBe(joined.eventId);
    const next = { ...held, stateChangedAt: '2026-11-25T14:00:00.000Z' };
    expect(joinedCommand(next, ctx).eventId).not.toBe(joined.eventId);
    for (const id of [joined.eventId, left.eventId]) expect(id).toMatch(API_ID);
  });

  it('a human message: the same key, the same ID; checked against the limits', () => {
    const send = (key: string, text = 'Hi, Alex here') =>
      humanMessageCommand(held, ALEX, { text, idempotencyKey: key }, ctx);
    const first = send('k1');
    expect(first.ok && first.command.message.representative.representativeType).toBe('HUMAN');
    const again = send('k1');
    const other = send('k2');
    if (!first.ok || !again.ok || !other.ok) throw new Error('expected valid messages');
    expect(again.command.message.messageId).toBe(first.command.message.messageId);
    expect(other.command.message.messageId).not.toBe(first.command.message.messageId);
    expect(send('k3', 'x'.repeat(3073))).toMatchObject({
      ok: false,
      problems: expect.stringContaining('at most 3072'),
    });
  });

  it('typing indicators and surveys', () => {
    expect(typingCommand(held, ALEX, true, 'a', ctx).event.eventType).toBe('TYPING_STARTED');
    expect(typingCommand(held, ALEX, false, 'a', ctx).event.eventType).toBe('TYPING_STOPPED');
    const survey = surveyCommand(held, seenOf(held), ctx);
    expect(survey.surveyId).toMatch(API_ID);
    expect(surveyCommand(held, seenOf(held), ctx).surveyId).toBe(survey.surveyId);
  });

  it('READ receipts for the customer’s messages not yet marked read', () => {
    const routing = {
      decision: { route: 'live-agent' as const, reason: 'queued' },
      conversation: null,
      routedAt: CREATED,
    };
    const inbound = (key: string, messageId?: string): MessageLogEntry => ({
      direction: 'inbound',
      key,
      kind: 'text',
      dedupeKey: key,
      at: CREATED,
      recordedAt: CREATED,
      routing,
      ...(messageId ? { messageId } : {}),
    });
    const entries: MessageLogEntry[] = [
      inbound('r:1', 'm-1'),
      inbound('r:2', 'm-2'),
      inbound('r:3'),
      {
        direction: 'outbound',
        key: 'receipt-m-1',
        kind: 'receipt',
        status: 'SENT',
        statusAt: CREATED,
        at: CREATED,
        recordedAt: CREATED,
      },
    ];
    expect(
      readReceiptCommands(held, entries, ctx).map((c) => [c.messageId, c.receiptType]),
    ).toEqual([['m-2', 'READ']]);
  });
});

describe('failures that no retry can mend are permanent (quarantined, not retried)', () => {
  const ctx = { causedBy: 'agent-api:test', createdAt: '2026-11-25T12:00:01.000Z', digest };

  it('JOINED or LEFT of a conversation no agent holds', () => {
    for (const command of [joinedCommand, leftCommand]) {
      const attempt = () => command(conversation({ state: 'queued' }), ctx);
      expect(attempt).toThrow(PermanentFailure);
      expect(attempt).toThrow(/needs a conversation held by an agent/);
      try {
        attempt();
      } catch (error) {
        expect(classifyFailure(error)).toBe('permanent');
      }
    }
  });

  it('an ID the API would refuse (a digest that leaves nothing usable)', () => {
    const attempt = () => replyIds('automation', 'r:1', () => '////').message(1);
    expect(attempt).toThrow(InvalidIdError);
    try {
      attempt();
    } catch (error) {
      expect(classifyFailure(error)).toBe('permanent');
    }
  });
});

describe('outboundBusMessage: attributes within Pub/Sub’s 1024 bytes', () => {
  it('cuts a long causedBy by bytes, never inside a character; the command keeps it whole', () => {
    const held = conversation({
      state: 'with_agent',
      assignee: { agentId: 'alex', displayName: 'Alex' },
      stateChangedAt: '2026-11-25T12:00:00.000Z',
    });
    const causedBy = `agent-api:claim:${'é'.repeat(1000)}`;
    const ctx = { causedBy, createdAt: '2026-11-25T12:00:01.000Z', digest };
    const message = outboundBusMessage(joinedCommand(held, ctx), {
      traceId: 'a'.repeat(32),
      dedicated: true,
    });
    const capped = message.attributes.causedBy ?? '';
    expect(Buffer.byteLength(capped, 'utf8')).toBeLessThanOrEqual(1024);
    expect(causedBy.startsWith(capped)).toBe(true);
    expect(capped.length).toBeGreaterThan(500);
    expect((JSON.parse(message.data) as { causedBy: string }).causedBy).toBe(causedBy);
    expect(message.attributes).toMatchObject({ brand: 'velo-cafe', dedicated: 'true' });
  });
});
