import { formatLogLine } from '../../functions/local/stack/log-lines';

// How `npm start` prints its functions' output once ready (BM_STACK_LOGS).

const json = JSON.stringify({
  severity: 'INFO',
  message: 'routed to automation (default)',
  timestamp: '2026-11-29T23:40:16.200Z',
  component: 'classifier',
  'logging.googleapis.com/labels': { component: 'classifier', conversationId: 'c-1' },
  'logging.googleapis.com/trace': 'projects/p/traces/t',
});

describe('formatLogLine', () => {
  it('brief: one short line per JSON entry, with its conversation', () => {
    expect(formatLogLine('brief', 'classifier', json)).toBe(
      '23:40:16 classifier INFO    routed to automation (default) (conversation c-1)',
    );
  });

  it('brief: drops the framework’s start-up banner, keeps other plain lines', () => {
    for (const banner of [
      'Serving function...',
      'Function: sender',
      'Signature type: cloudevent',
      'URL: http://localhost:8093/',
    ]) {
      expect(formatLogLine('brief', 'sender', banner)).toBeUndefined();
    }
    expect(formatLogLine('brief', 'sender', 'something else')).toMatch(
      / sender {5}something else$/,
    );
    expect(formatLogLine('brief', 'sender', '   ')).toBeUndefined();
  });

  it('verbose keeps the JSON as Cloud Logging gets it; quiet prints nothing', () => {
    expect(formatLogLine('verbose', 'classifier', json)).toBe(`[classifier] ${json}`);
    expect(formatLogLine('quiet', 'classifier', json)).toBeUndefined();
  });
});
