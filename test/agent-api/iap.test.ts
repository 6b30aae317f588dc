import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import request from 'supertest';
import { InMemoryAgentDirectory } from '../../functions/adapters/in-memory-agent-directory';
import {
  IAP_HEADER,
  IAP_ISSUER,
  IapAgentAuthenticator,
  IapJwtVerifier,
  IapVerificationError,
  type IapPublicKeys,
} from '../../functions/adapters/iap-agent-authenticator';
import { AGENTS, startPipeline, type Pipeline } from './pipeline';

// Identity-Aware Proxy's signed header, verified with google-auth-library against keys made
// here: the test signs ES256 JWTs itself with node:crypto and hands the verifier the public
// keys, so nothing goes to the network.

const AUDIENCE = '/projects/123456789/global/backendServices/987654321';

const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pemOf = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const current = keyPair();
const KEYS: IapPublicKeys = { 'key-1': pemOf(current.publicKey) };

function iapJwt(
  payload: Record<string, unknown> = {},
  options: { kid?: string; key?: KeyObject } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', typ: 'JWT', kid: options.kid ?? 'key-1' };
  const body = {
    iss: IAP_ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 600,
    sub: 'accounts.google.com:1234567890',
    email: 'alex@velo-cafe.example',
    hd: 'velo-cafe.example',
    ...payload,
  };
  const signed = `${b64url(header)}.${b64url(body)}`;
  // JOSE's ES256 signature is r‖s (IEEE P1363), not DER.
  const signature = sign('sha256', Buffer.from(signed), {
    key: options.key ?? current.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${signed}.${signature.toString('base64url')}`;
}

function verifierWith(keys: () => IapPublicKeys) {
  const fetchKeys = jest.fn(() => Promise.resolve(keys()));
  return { fetchKeys, verifier: new IapJwtVerifier({ audience: AUDIENCE, fetchKeys }) };
}

describe('IapJwtVerifier', () => {
  it('accepts IAP’s assertion and says who it is', async () => {
    const { verifier, fetchKeys } = verifierWith(() => KEYS);
    await expect(verifier.verify(iapJwt())).resolves.toEqual({
      email: 'alex@velo-cafe.example',
      subject: 'accounts.google.com:1234567890',
    });
    await verifier.verify(iapJwt({ email: 'Sam@Velo-Cafe.example' }));
    // Keys are fetched once and reused.
    expect(fetchKeys).toHaveBeenCalledTimes(1);
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    {
      name: 'another audience',
      reason: /^Wrong recipient/,
      jwt: () => iapJwt({ aud: '/projects/1/global/backendServices/2' }),
    },
    {
      name: 'another issuer',
      reason: /^Invalid issuer/,
      jwt: () => iapJwt({ iss: 'https://accounts.google.com' }),
    },
    {
      name: 'expired',
      reason: /^Token used too late/,
      jwt: () => iapJwt({ iat: now() - 7200, exp: now() - 3600 }),
    },
    {
      name: 'signed with another key',
      reason: /^Invalid token signature$/,
      jwt: () => iapJwt({}, { key: keyPair().privateKey }),
    },
    {
      name: 'a changed payload',
      reason: /^Invalid token signature$/,
      jwt: () => {
        const [h, , s] = iapJwt().split('.');
        return `${h}.${b64url({ iss: IAP_ISSUER, aud: AUDIENCE, email: 'boss@velo-cafe.example' })}.${s}`;
      },
    },
    {
      name: 'no email',
      reason: /^assertion without an email$/,
      jwt: () => iapJwt({ email: undefined }),
    },
    { name: 'not a JWT', reason: /^not a JWT$/, jwt: () => 'not-a-jwt' },
    {
      name: 'an unknown key',
      reason: /^No pem found for envelope$/,
      jwt: () => iapJwt({}, { kid: 'key-unknown' }),
    },
  ])('refuses $name', async ({ jwt, reason }) => {
    const { verifier } = verifierWith(() => KEYS);
    const error = await verifier.verify(jwt()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IapVerificationError);
    expect((error as Error).message).toMatch(reason);
    // The reason never quotes the token.
    expect((error as Error).message).not.toMatch(/eyJ/);
  });

  it('fetches the keys again when IAP signs with a new one', async () => {
    const next = keyPair();
    let keys: IapPublicKeys = KEYS;
    let clock = 0;
    const fetchKeys = jest.fn(() => Promise.resolve(keys));
    const verifier = new IapJwtVerifier({ audience: AUDIENCE, fetchKeys, now: () => clock });
    await verifier.verify(iapJwt());
    keys = { ...KEYS, 'key-2': pemOf(next.publicKey) };
    clock += 61_000;
    await expect(
      verifier.verify(iapJwt({}, { kid: 'key-2', key: next.privateKey })),
    ).resolves.toMatchObject({ email: 'alex@velo-cafe.example' });
    expect(fetchKeys).toHaveBeenCalledTimes(2);
  });

  it('a failed key fetch is not a verdict: it throws as it is, and is not cached', async () => {
    const fetchKeys = jest
      .fn<Promise<IapPublicKeys>, []>()
      .mockRejectedValueOnce(new Error('getaddrinfo ENOTFOUND'))
      .mockResolvedValue(KEYS);
    const verifier = new IapJwtVerifier({ audience: AUDIENCE, fetchKeys });
    const error = await verifier.verify(iapJwt()).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(IapVerificationError);
    await expect(verifier.verify(iapJwt())).resolves.toMatchObject({
      email: 'alex@velo-cafe.example',
    });
  });
});

describe('the agent API behind IAP', () => {
  let p: Pipeline;
  let failFetch = false;
  beforeEach(async () => {
    failFetch = false;
    const verifier = new IapJwtVerifier({
      audience: AUDIENCE,
      fetchKeys: () =>
        failFetch ? Promise.reject(new Error('keys unavailable')) : Promise.resolve(KEYS),
    });
    p = await startPipeline({
      auth: new IapAgentAuthenticator(verifier, new InMemoryAgentDirectory([AGENTS.alex])),
    });
    await p.customer.asksForAgent('conv-iap');
  });
  afterEach(async () => {
    await p.close();
  });

  const get = (headers: Record<string, string>) =>
    request(p.server).get('/conversations').set(headers);

  it('an agent’s identity, mapped by email, sees its brands’ queue', async () => {
    const res = await get({ [IAP_HEADER]: iapJwt() }).expect(200);
    expect(res.body).toEqual({
      conversations: [expect.objectContaining({ id: 'conv-iap', state: 'queued' })],
    });
    await request(p.server)
      .post('/conversations/conv-iap/claim')
      .set(IAP_HEADER, iapJwt({ email: 'ALEX@velo-cafe.example' }))
      .expect(200);
  });

  it('403 for a valid identity that is not an agent', async () => {
    const res = await get({ [IAP_HEADER]: iapJwt({ email: 'visitor@gmail.com' }) }).expect(403);
    expect(res.body).toEqual({ error: { code: 'FORBIDDEN', message: 'not a registered agent' } });
  });

  it('401 without the header, with a forged one, and for a bearer token', async () => {
    await get({}).expect(401);
    await get({ [IAP_HEADER]: iapJwt({}, { key: keyPair().privateKey }) }).expect(401);
    await get({ Authorization: 'Bearer dev-agent-token' }).expect(401);
  });

  it('503 when IAP’s keys cannot be fetched', async () => {
    failFetch = true;
    const res = await get({ [IAP_HEADER]: iapJwt() }).expect(503);
    expect(res.body).toMatchObject({ error: { code: 'UNAVAILABLE' } });
  });
});
