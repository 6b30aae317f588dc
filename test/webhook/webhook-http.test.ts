import type { Server } from 'node:http';
import request from 'supertest';
import { InMemoryEventBus } from '../../functions/adapters/in-memory-event-bus';
import { PublishFailedError, type EventBus } from '../../functions/ports/event-bus';
import { fixtures, placeholderTypingEvent, CONVERSATION } from '../fixtures/webhook-events';
import { CLIENT_TOKEN, signed, webhookServer } from '../support/webhook-server';

const text = (m: { data: Uint8Array }) => Buffer.from(m.data).toString('utf8');

describe('webhook over HTTP (functions-framework test server)', () => {
  let bus: InMemoryEventBus;
  let server: Server;
  let logs: string[];

  beforeEach(() => {
    bus = new InMemoryEventBus();
    logs = [];
    server = webhookServer(bus, { logs, maxBodyBytes: 4096 });
  });

  const post = (body: string, headers: Record<string, string>) =>
    request(server).post('/').set(headers).send(body);

  describe('registration handshake', () => {
    it('echoes the secret as text/plain when the client token matches', async () => {
      const body = JSON.stringify({ clientToken: CLIENT_TOKEN, secret: '0123456789' });
      const res = await post(body, { 'Content-Type': 'application/json' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toBe('0123456789');
      expect(bus.published).toHaveLength(0);
    });

    it.each([
      ['wrong token', { clientToken: 'SJENCPGJESMGUFPY', secret: '0123456789' }],
      ['empty token', { clientToken: '', secret: '0123456789' }],
    ])('refuses a %s with 403 and no secret', async (_name, payload) => {
      const res = await post(JSON.stringify(payload), { 'Content-Type': 'application/json' });
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('0123456789');
    });
  });

  describe('authentic events', () => {
    it.each(Object.keys(fixtures) as (keyof typeof fixtures)[])(
      '%s is published to inbound with its attributes and ordering key',
      async (name) => {
        const body = JSON.stringify(fixtures[name]);
        const res = await post(body, signed(body));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ status: 'accepted' });
        expect(bus.published).toHaveLength(1);
        const [message] = bus.published;
        expect(message?.topic).toBe('inbound');
        expect(message?.orderingKey).toBe(CONVERSATION);
        expect(text(message!)).toBe(body);
        expect(message?.attributes).toMatchObject({
          brand: 'velo-cafe',
          agent: 'brands/velo-cafe/agents/velo-cafe-agent',
          conversation: CONVERSATION,
          receivedAt: '2026-11-25T12:00:00.000Z',
        });
        expect(message?.attributes.dedupeKey).toMatch(/^(r|d):/);
      },
    );

    it('accepts a body signed with the client token (the later documentation)', async () => {
      const body = JSON.stringify(fixtures.text);
      const res = await post(body, signed(body, CLIENT_TOKEN));
      expect(res.status).toBe(200);
      expect(bus.published[0]?.attributes.kind).toBe('text');
    });

    it('takes the trace from X-Cloud-Trace-Context and carries it on', async () => {
      const body = JSON.stringify(fixtures.text);
      const trace = '105445aa7843bc8bf206b12000100000';
      await post(body, { ...signed(body), 'X-Cloud-Trace-Context': `${trace}/1;o=1` });
      expect(bus.published[0]?.attributes.traceId).toBe(trace);
      const accepted = logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === 'event_accepted');
      expect(accepted?.['logging.googleapis.com/trace']).toBe(
        `projects/test-project/traces/${trace}`,
      );
      expect(accepted?.['logging.googleapis.com/labels']).toMatchObject({
        conversationId: CONVERSATION,
        brandId: 'velo-cafe',
      });
    });

    it('logs a survey’s answers as content, like every function (one contentOf)', async () => {
      const contentLogs: string[] = [];
      const verbose = webhookServer(bus, { logs: contentLogs, logContent: true });
      const body = JSON.stringify(fixtures.survey);
      await request(verbose).post('/').set(signed(body)).send(body).expect(200);
      const accepted = contentLogs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === 'event_accepted');
      expect(accepted?.content).toEqual({ responseText: 'Yes' });
    });

    it('never logs message text or the user name by default', async () => {
      const body = JSON.stringify(fixtures.text);
      await post(body, signed(body));
      expect(logs.join('\n')).not.toContain('open on Sunday');
      expect(logs.join('\n')).not.toContain('Jane Doe');
    });
  });

  describe('what is not from Google is refused and not published', () => {
    const body = JSON.stringify(fixtures.text);
    it.each([
      ['no signature', { 'Content-Type': 'application/json' }, 401],
      ['an empty signature', { 'Content-Type': 'application/json', 'X-Goog-Signature': '' }, 401],
      ['a signature made with another key', signed(body, 'someone-else'), 401],
      [
        'a signature that is not base64',
        { 'Content-Type': 'application/json', 'X-Goog-Signature': 'not base64!' },
        401,
      ],
    ])('%s: %d', async (_name, headers, status) => {
      const res = await post(body, headers);
      expect(res.status).toBe(status);
      expect(res.body as unknown).toEqual({ error: { code: status, message: expect.any(String) } });
      expect(bus.published).toHaveLength(0);
    });

    it('a tampered body: 401', async () => {
      const headers = signed(body);
      const res = await post(body.replace('Sunday', 'Monday'), headers);
      expect(res.status).toBe(401);
      expect(bus.published).toHaveLength(0);
    });

    it('wrong method: 405 with Allow', async () => {
      const res = await request(server).get('/');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
    });

    it('oversized body: 413 before any signature work', async () => {
      const big = JSON.stringify({ ...fixtures.text, padding: 'x'.repeat(5000) });
      const res = await post(big, signed(big));
      expect(res.status).toBe(413);
      expect(bus.published).toHaveLength(0);
    });

    it('non-JSON content type: 415', async () => {
      const res = await post('conversationId=1', {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Goog-Signature': 'x',
      });
      expect(res.status).toBe(415);
      expect(bus.published).toHaveLength(0);
    });

    it('logs each rejection as webhook_rejected for the metric', async () => {
      await post(body, { 'Content-Type': 'application/json' });
      const rejected = logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.event === 'webhook_rejected');
      expect(rejected).toEqual([expect.objectContaining({ severity: 'WARNING', status: 401 })]);
    });
  });

  describe('authentic but unusable: quarantined with the raw body, answered 200', () => {
    it.each([
      ['malformed JSON', '{"conversationId": "abc", "agent": '],
      ['Google placeholder payload', JSON.stringify(placeholderTypingEvent)],
      ['schema mismatch', JSON.stringify({ ...fixtures.text, message: { text: 'no id' } })],
    ])('%s', async (_name, raw) => {
      const res = await post(raw, signed(raw));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'quarantined' });
      expect(bus.published).toHaveLength(1);
      const [kept] = bus.published;
      expect(kept?.topic).toBe('quarantine');
      expect(text(kept!)).toBe(raw);
      expect(kept?.attributes.reason).toBeTruthy();
      const warning = logs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === 'event_quarantined');
      expect(warning?.severity).toBe('WARNING');
    });

    it('malformed JSON: a fixed reason; the body’s words are in no log line or attribute', async () => {
      const marker = 'secret42';
      const raw = `{"conversationId": "abc", "message": {"text": ${marker}}}`;
      const res = await post(raw, signed(raw));
      expect(res.body).toEqual({ status: 'quarantined' });
      const [kept] = bus.published;
      expect(kept?.attributes.reason).toMatch(/^invalid JSON \(SyntaxError( at position \d+)?\)$/);
      expect(JSON.stringify(kept?.attributes)).not.toContain(marker);
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.join('\n')).not.toContain(marker);
      expect(text(kept!)).toBe(raw);
    });

    it('with content logging on, the parser’s words are logged as content', async () => {
      const contentLogs: string[] = [];
      const verbose = webhookServer(bus, { logs: contentLogs, logContent: true });
      const raw = '{"message": {"text": secret42}}';
      await request(verbose).post('/').set(signed(raw)).send(raw).expect(200);
      const quarantined = contentLogs
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === 'event_quarantined');
      expect(quarantined?.reason).toMatch(/^invalid JSON \(/);
      expect(quarantined?.content).toEqual({ detail: expect.stringContaining('secret42') });
    });

    it('an ID too long for Pub/Sub (in bytes): quarantined, its attributes cut to 1024 bytes', async () => {
      // 600 characters, well under 512 × 3 bytes: the old character limit let it through.
      const raw = JSON.stringify({ ...fixtures.text, conversationId: '中'.repeat(600) });
      const res = await post(raw, signed(raw));
      expect(res.body).toEqual({ status: 'quarantined' });
      const [kept] = bus.published;
      expect(kept?.topic).toBe('quarantine');
      expect(kept?.attributes.reason).toBe(
        'schema mismatch: conversationId: must be at most 512 bytes of UTF-8',
      );
      for (const value of Object.values(kept!.attributes)) {
        expect(Buffer.byteLength(value, 'utf8')).toBeLessThanOrEqual(1024);
      }
      expect(kept?.attributes.conversation).toBe('中'.repeat(341));
    });

    it('malformed JSON that is not signed is still refused', async () => {
      const res = await post('{"broken', { 'Content-Type': 'application/json' });
      expect(res.status).toBe(401);
      expect(bus.published).toHaveLength(0);
    });
  });

  describe('when Pub/Sub does not acknowledge', () => {
    it('answers 503 so Google redelivers, and nothing is lost', async () => {
      const body = JSON.stringify(fixtures.text);
      bus.failNextPublish('inbound');
      const first = await post(body, signed(body));
      expect(first.status).toBe(503);
      expect(first.headers['retry-after']).toBeDefined();
      expect(bus.published).toHaveLength(0);
      // Google's redelivery of the same bytes then succeeds.
      const retry = await post(body, signed(body));
      expect(retry.status).toBe(200);
      expect(bus.published).toHaveLength(1);
    });

    it('quarantines (200) an event the inbound topic refuses for good, not 503 forever', async () => {
      // Pub/Sub's INVALID_ARGUMENT: the same bytes would be refused on every redelivery.
      const refusing: EventBus = {
        publish: (topic, message) =>
          topic === 'inbound'
            ? Promise.reject(
                new PublishFailedError('inbound', new Error('3 INVALID_ARGUMENT'), {
                  retryable: false,
                }),
              )
            : bus.publish(topic, message),
      };
      const refused = webhookServer(refusing, { logs });
      const body = JSON.stringify(fixtures.text);
      const res = await request(refused).post('/').set(signed(body)).send(body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'quarantined' });
      const [kept] = bus.published;
      expect(kept?.topic).toBe('quarantine');
      expect(text(kept!)).toBe(body);
      expect(kept?.attributes).toMatchObject({
        source: 'webhook',
        reason: 'refused by the inbound topic',
        conversation: CONVERSATION,
      });
    });

    it('answers 503 when the quarantine cannot be written either', async () => {
      const raw = '{"broken';
      bus.failNextPublish('quarantine');
      const res = await post(raw, signed(raw));
      expect(res.status).toBe(503);
    });
  });

  // The accepted path runs outside the framework's per-request domain (it is cheaper there) and
  // hands a failure to the domain's error handler: the framework must still answer it as it
  // answers any failed function, not crash the instance or leave the request hanging.
  describe('when the handler fails after the publish', () => {
    it('functions-framework answers as for any failed function (500, X-Google-Status: crash)', async () => {
      const failingSink = Object.assign([] as string[], {
        push(line: string): number {
          if (line.includes('event_accepted')) throw new Error('log sink failed');
          return 0;
        },
      });
      const failing = webhookServer(bus, { logs: failingSink });
      const body = JSON.stringify(fixtures.text);
      const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        // A failure nobody answers would leave the request hanging: give up well before jest.
        const res = await request(failing).post('/').set(signed(body)).send(body).timeout(2_000);
        expect(res.status).toBe(500);
        expect(res.headers['x-google-status']).toBe('crash');
        expect(bus.published).toHaveLength(1);
        expect(error).toHaveBeenCalled();
      } finally {
        error.mockRestore();
      }
    });
  });
});
