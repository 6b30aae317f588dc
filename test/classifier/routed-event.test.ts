import type { RecordedRouting } from '../../functions/core/conversation';
import { parseRoutedEvent, routedMessage } from '../../functions/core/routed-event';
import { sha256Digest } from '../../functions/platform/digest';
import { inboundEvent, webhookBody } from '../support/inbound-events';

const webhook = webhookBody('text');
const event = inboundEvent(webhook);
const TRACE = 'a'.repeat(32);
const routing: RecordedRouting = {
  decision: { route: 'live-agent', reason: 'asked-for-human' },
  conversation: {
    state: 'queued',
    brandId: 'velo-cafe',
    agent: 'brands/velo-cafe/agents/velo-cafe-agent',
    locale: 'en',
    origin: { entryPoint: 'PLACESHEET' },
    botMisses: 0,
    assignee: null,
    lastUserMessageAt: '2026-11-25T10:15:30.123Z',
  },
  routedAt: '2026-11-25T12:00:00.000Z',
};

describe('the routed event contract', () => {
  it('data, attributes and ordering key', () => {
    const message = routedMessage(event, webhook, routing, TRACE);
    expect(message).toEqual({
      topic: 'live-agent',
      data: expect.any(String),
      attributes: {
        brand: 'velo-cafe',
        agent: 'brands/velo-cafe/agents/velo-cafe-agent',
        conversation: event.conversationId,
        kind: 'text',
        dedupeKey: event.dedupeKey,
        traceId: TRACE,
        route: 'live-agent',
        reason: 'asked-for-human',
      },
      orderingKey: event.conversationId,
    });
    expect(JSON.parse(message!.data)).toEqual({
      schemaVersion: 1,
      webhook,
      decision: routing.decision,
      conversation: routing.conversation,
      routedAt: routing.routedAt,
    });
  });

  it('the same recorded routing gives the same bytes, whatever its key order', () => {
    // Firestore hands maps back with their keys sorted.
    const c = routing.conversation!;
    const reordered: RecordedRouting = {
      routedAt: routing.routedAt,
      decision: { reason: 'asked-for-human', route: 'live-agent' },
      conversation: {
        lastUserMessageAt: c.lastUserMessageAt,
        assignee: c.assignee,
        botMisses: c.botMisses,
        origin: c.origin,
        locale: c.locale,
        agent: c.agent,
        brandId: c.brandId,
        state: c.state,
      },
    };
    expect(routedMessage(event, webhook, reordered, TRACE)?.data).toBe(
      routedMessage(event, webhook, routing, TRACE)?.data,
    );
  });

  it('nothing is published for a decision that routes nowhere', () => {
    expect(
      routedMessage(
        event,
        webhook,
        { ...routing, decision: { route: null, reason: 'receipts' } },
        TRACE,
      ),
    ).toBeUndefined();
  });

  it('parseRoutedEvent gives the envelope and the webhook as an InboundEvent, parsed once', () => {
    const data: unknown = JSON.parse(routedMessage(event, webhook, routing, TRACE)!.data);
    const parsed = parseRoutedEvent(data, sha256Digest);
    expect(parsed).toEqual({ ok: true, value: data, event });
  });

  it.each([
    ['another schema version', { schemaVersion: 2 }, /schemaVersion/],
    ['a decision routed nowhere', { decision: { route: null, reason: 'x' } }, /decision\.route/],
    ['no conversation', { conversation: null }, /conversation/],
    [
      'a webhook that is not Google’s',
      { webhook: { hello: 'world' } },
      /^webhook: schema mismatch/,
    ],
  ])('refuses %s', (_name, change, reason) => {
    const data = {
      ...(JSON.parse(routedMessage(event, webhook, routing, TRACE)!.data) as object),
      ...change,
    };
    const parsed = parseRoutedEvent(data, sha256Digest);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});
