import { InMemoryEventBus } from '../../functions/adapters/in-memory-event-bus';
import {
  byteCap,
  jsonFailure,
  makeQuarantine,
  parseJson,
  receiveJson,
} from '../../functions/platform/quarantine';
import { toPubSubCloudEvent } from '../../functions/platform/pubsub-cloud-event';
import { LogCapture } from '../support/log-capture';

const MARKER = 'secret42';
const TRACE = '105445aa7843bc8bf206b12000100000';

function setup(options: { logContent?: boolean; severity?: 'WARNING' | 'ERROR' } = {}) {
  const bus = new InMemoryEventBus();
  const capture = new LogCapture();
  const log = capture.logger('test', { logContent: options.logContent ?? false });
  const quarantine = makeQuarantine({
    bus,
    log,
    source: 'test',
    ...(options.severity ? { severity: options.severity } : {}),
  });
  const logged = () => capture.entries;
  return { bus, lines: capture.lines, logged, quarantine };
}

describe('byteCap', () => {
  it('cuts by UTF-8 bytes, to 1024 by default', () => {
    expect(Buffer.byteLength(byteCap('中'.repeat(1000)), 'utf8')).toBe(1023);
    expect(byteCap('Vélo', 2)).toBe('V');
    expect(byteCap('Vélo', 3)).toBe('Vé');
  });
});

describe('jsonFailure and parseJson: a reason that never quotes the body', () => {
  it.each([
    [`{"text": ${MARKER}}`, /^invalid JSON \(SyntaxError\)$/],
    [`{"text": "${MARKER}`, /^invalid JSON \(SyntaxError at position \d+\)$/],
    [`{"a": 1} ${MARKER}`, /^invalid JSON \(SyntaxError at position \d+\)$/],
  ])('%s', (text, reason) => {
    const parsed = parseJson(Buffer.from(text));
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    if (!parsed.ok) {
      expect(parsed.reason).not.toContain(MARKER);
      // The parser's own words are kept, for content logging only.
      expect(parsed.detail).toEqual(expect.any(String));
    }
  });

  it('parses what is JSON', () => {
    expect(parseJson(new TextEncoder().encode('{"a":"é"}'))).toEqual({
      ok: true,
      value: { a: 'é' },
    });
  });

  it('names no error type it cannot vouch for', () => {
    expect(jsonFailure('oops').reason).toBe('invalid JSON (Error)');
  });
});

describe('makeQuarantine', () => {
  it('publishes the raw bytes with byte-capped attributes and logs ERROR event_quarantined', async () => {
    const s = setup();
    const raw = Buffer.from('raw bytes');
    await s.quarantine(raw, 'r'.repeat(5000), {
      attributes: { conversation: '中'.repeat(1000), traceId: TRACE, pubsubMessageId: '42' },
    });
    const [kept] = s.bus.published;
    expect(kept?.topic).toBe('quarantine');
    expect(Buffer.from(kept!.data).toString()).toBe('raw bytes');
    expect(kept?.attributes.source).toBe('test');
    for (const value of Object.values(kept!.attributes)) {
      expect(Buffer.byteLength(value, 'utf8')).toBeLessThanOrEqual(1024);
    }
    expect(s.logged()).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        event: 'event_quarantined',
        bytes: raw.length,
        pubsubMessageId: '42',
        'logging.googleapis.com/trace': `projects/test-project/traces/${TRACE}`,
        'logging.googleapis.com/labels': expect.objectContaining({
          conversationId: '中'.repeat(1000),
        }),
      }),
    ]);
  });

  it('logs at WARNING when asked (the webhook)', async () => {
    const s = setup({ severity: 'WARNING' });
    await s.quarantine(Buffer.from('x'), 'why');
    expect(s.logged()[0]).toMatchObject({ severity: 'WARNING', event: 'event_quarantined' });
  });

  it('writes the detail only as content, and only when content logging is on', async () => {
    for (const logContent of [false, true]) {
      const s = setup({ logContent });
      await s.quarantine(Buffer.from('x'), 'invalid JSON (SyntaxError)', { detail: MARKER });
      expect(s.lines.join('\n').includes(MARKER)).toBe(logContent);
      expect(JSON.stringify(s.bus.published[0]?.attributes)).not.toContain(MARKER);
      if (logContent) expect(s.logged()[0]?.content).toEqual({ detail: MARKER });
    }
  });

  it('rejects when the quarantine cannot be published, so the caller retries', async () => {
    const s = setup();
    s.bus.failNextPublish('quarantine');
    await expect(s.quarantine(Buffer.from('x'), 'why')).rejects.toMatchObject({
      retryable: true,
    });
    expect(s.lines).toEqual([]);
  });
});

describe('receiveJson', () => {
  const cloudEvent = (data: string, attributes: Record<string, string> = {}) =>
    toPubSubCloudEvent('projects/p/topics/t', {
      id: 'm-1',
      data: Buffer.from(data),
      attributes,
      publishTime: '2026-11-25T12:00:00.000Z',
    });

  it('gives the message, its parsed data and its attributes with the Pub/Sub message ID', async () => {
    const s = setup();
    const received = await receiveJson(cloudEvent('{"a":1}', { brand: 'b' }), s.quarantine);
    expect(received).toMatchObject({
      ok: true,
      json: { a: 1 },
      attributes: { brand: 'b', pubsubMessageId: 'm-1' },
    });
    expect(s.bus.published).toEqual([]);
  });

  it('quarantines data that is not JSON, raw, with a content-free reason', async () => {
    const s = setup();
    const text = `{"text": ${MARKER}}`;
    const received = await receiveJson(cloudEvent(text, { traceId: TRACE }), s.quarantine);
    expect(received).toEqual({ ok: false, reason: 'invalid JSON (SyntaxError)' });
    const [kept] = s.bus.published;
    expect(Buffer.from(kept!.data).toString()).toBe(text);
    expect(kept?.attributes).toMatchObject({
      reason: 'invalid JSON (SyntaxError)',
      pubsubMessageId: 'm-1',
      traceId: TRACE,
    });
    expect(s.lines.join('\n')).not.toContain(MARKER);
  });

  it('quarantines what is not a Pub/Sub CloudEvent as its JSON', async () => {
    const s = setup();
    const received = await receiveJson({ hello: 'world' }, s.quarantine);
    expect(received).toMatchObject({ ok: false, reason: /^not a Pub\/Sub CloudEvent/ });
    expect(Buffer.from(s.bus.published[0]!.data).toString()).toBe('{"hello":"world"}');
  });
});
