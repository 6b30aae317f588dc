import { ConfigError, loadConfig } from '../../functions/platform/config';
import { SenderConfig, isLoopbackUrl } from '../../functions/sender/config';

const load = (env: Record<string, string>) => loadConfig(SenderConfig, env);

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('SenderConfig', () => {
  it("defaults: Google's API with ADC, 15 s per call, 60 a minute, waits of up to 5 s", () => {
    expect(load({})).toMatchObject({
      BM_API_ROOT_URL: 'https://businessmessages.googleapis.com/',
      BM_API_AUTH: 'adc',
      BM_API_TIMEOUT_MS: 15_000,
      SEND_RATE_PER_MINUTE: 60,
      SEND_MAX_WAIT_MS: 5_000,
      FIRESTORE_DATABASE: '(default)',
    });
  });

  it.each([
    ['http://127.0.0.1:8082', 'http://127.0.0.1:8082/'],
    ['http://localhost:8082/', 'http://localhost:8082/'],
    ['http://[::1]:8082/', 'http://[::1]:8082/'],
  ])('a loopback stand-in (%s) needs no credentials by default', (url, normalised) => {
    expect(load({ BM_API_ROOT_URL: url })).toMatchObject({
      BM_API_ROOT_URL: normalised,
      BM_API_AUTH: 'none',
    });
  });

  it('ADC can still be asked for against a stand-in', () => {
    expect(load({ BM_API_ROOT_URL: 'http://127.0.0.1:8082/', BM_API_AUTH: 'adc' })).toMatchObject({
      BM_API_AUTH: 'adc',
    });
  });

  it('a stand-in on another host (e.g. a compose network) works over http without credentials', () => {
    expect(load({ BM_API_ROOT_URL: 'http://bm-standin:8082/', BM_API_AUTH: 'none' })).toMatchObject(
      {
        BM_API_AUTH: 'none',
      },
    );
  });

  it.each([
    [
      { BM_API_ROOT_URL: 'http://bm-standin:8082/' },
      /^BM_API_ROOT_URL .*only sent over https, or over http to this machine/,
    ],
    [{ BM_API_ROOT_URL: 'https://example.test/v1/' }, /^BM_API_ROOT_URL .*no path or query/],
    [{ BM_API_ROOT_URL: 'ftp://example.test/' }, /^BM_API_ROOT_URL /],
    [{ BM_API_AUTH: 'apikey' }, /^BM_API_AUTH \("apikey"\)/],
    [{ K_SERVICE: 'sender', BM_API_AUTH: 'none' }, /^BM_API_AUTH .*refused when deployed/],
    [{ SEND_RATE_PER_MINUTE: '61' }, /^SEND_RATE_PER_MINUTE /],
    [{ SEND_MAX_WAIT_MS: '60000' }, /^SEND_MAX_WAIT_MS /],
    [{ BM_API_TIMEOUT_MS: 'soon' }, /^BM_API_TIMEOUT_MS /],
  ])('refuses %p', (env, problem) => {
    expect(problems(env)).toEqual([expect.stringMatching(problem)]);
  });

  it('deployed against a loopback stand-in, none is allowed', () => {
    expect(
      load({ K_SERVICE: 'sender', BM_API_ROOT_URL: 'http://127.0.0.1:8082/' }).BM_API_AUTH,
    ).toBe('none');
  });
});

describe('isLoopbackUrl', () => {
  it.each([
    ['http://127.0.0.1:8082/', true],
    ['http://127.1.2.3/', true],
    ['http://localhost/', true],
    ['http://api.localhost/', true],
    ['http://[::1]:1/', true],
    ['http://0.0.0.0:8082/', true],
    ['http://[::]:8082/', true],
    ['https://businessmessages.googleapis.com/', false],
    ['http://128.0.0.1/', false],
    ['http://localhost.example.com/', false],
    ['not a url', false],
  ])('%s → %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
  });
});
