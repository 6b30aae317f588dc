import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { SessionCookies } from '../../functions/agent-api/session';
import { BrandConfigError } from '../../functions/core/brand-config';
import { startPipeline, tokenOf, type Pipeline } from './pipeline';

// The console's side of the agent API: the token sign-in and its cookie, the cross-site guard,
// the console's files and the API's own description.

let p: Pipeline;
afterEach(async () => {
  await p.close();
});

const HOUR = 3_600_000;
const errorOf = (body: unknown) =>
  (body as { error: { code: string; message: string; heldBy?: unknown } }).error;
/** The `name=value` of a Set-Cookie answer, for the next request's Cookie header. */
const cookieOf = (res: request.Response): string => {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const first = raw?.[0];
  if (first === undefined) throw new Error('no Set-Cookie');
  return first.split(';')[0] ?? '';
};
const signIn = (token: string) =>
  request(p.server).post('/session').set('X-BM-Console', '1').send({ token });

describe('console sign-in', () => {
  beforeEach(async () => {
    p = await startPipeline({ sessionTtlMs: HOUR });
  });

  it('trades a token for an HttpOnly, SameSite=Strict cookie that authenticates the API', async () => {
    const res = await signIn(tokenOf('alex')).expect(200);
    const setCookie = (res.headers['set-cookie'] as unknown as string[])[0] ?? '';
    expect(setCookie).toMatch(/^bm_session=v1\./);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; Max-Age=3600/);
    expect(setCookie).not.toContain(tokenOf('alex'));
    expect(res.body).toMatchObject({
      agent: { agentId: 'alex', displayName: 'Alex', brandIds: ['velo-cafe'] },
      auth: 'tokens',
      expiresAt: new Date(p.clock.now().getTime() + HOUR).toISOString(),
      brands: [
        {
          brandId: 'velo-cafe',
          displayName: 'Vélo Café',
          defaultLocale: 'fr',
          locales: ['en', 'fr'],
          places: {
            ChIJN1t_tDeuEmsRUsoyG83frY4: {
              name: { en: 'Vélo Café Canal Saint-Martin', fr: 'Vélo Café Canal Saint-Martin' },
            },
          },
          cannedResponses: expect.arrayContaining([
            expect.objectContaining({
              shortcut: 'hours',
              text: expect.objectContaining({ en: expect.any(String) }),
            }),
          ]),
        },
      ],
    });

    const cookie = cookieOf(res);
    const session = await request(p.server).get('/session').set('Cookie', cookie).expect(200);
    expect(session.body).toMatchObject({ agent: { agentId: 'alex' }, auth: 'tokens' });
    await p.customer.asksForAgent('conv-1');
    const list = await request(p.server).get('/conversations').set('Cookie', cookie).expect(200);
    expect(
      (list.body as { conversations: { id: string }[] }).conversations.map((c) => c.id),
    ).toEqual(['conv-1']);
  });

  it('never logs the token', async () => {
    await signIn(tokenOf('alex')).expect(200);
    await signIn('wrong-token-123').expect(401);
    const logged = JSON.stringify(p.logs);
    expect(logged).not.toContain(tokenOf('alex'));
    expect(logged).not.toContain('wrong-token-123');
    expect(p.logEvents('agent_api_signed_in')).toHaveLength(1);
    expect(p.logEvents('agent_api_sign_in_refused')).toHaveLength(1);
  });

  it('refuses an unknown token, an empty body and a sign-in without the console header', async () => {
    expect(errorOf((await signIn('not-a-token').expect(401)).body)).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'unknown agent token',
    });
    expect(errorOf((await signIn('').expect(400)).body).code).toBe('INVALID_ARGUMENT');
    const forged = await request(p.server)
      .post('/session')
      .send({ token: tokenOf('alex') })
      .expect(403);
    expect(errorOf(forged.body).message).toMatch(/cross-site/);
    expect(forged.headers['set-cookie']).toBeUndefined();
  });

  it('ends the session when it expires: 401, and the agent signs in again', async () => {
    const cookie = cookieOf(await signIn(tokenOf('alex')).expect(200));
    p.clock.advance(HOUR - 1);
    await request(p.server).get('/session').set('Cookie', cookie).expect(200);
    p.clock.advance(1);
    const expired = await request(p.server).get('/conversations').set('Cookie', cookie).expect(401);
    expect(errorOf(expired.body).code).toBe('UNAUTHENTICATED');
    await signIn(tokenOf('alex')).expect(200);
  });

  it('refuses a forged or altered cookie', async () => {
    const cookie = cookieOf(await signIn(tokenOf('alex')).expect(200));
    const [name, value] = cookie.split('=') as [string, string];
    const parts = value.split('.');
    // Another agent's ID under Alex's signature, and a later expiry under the same signature.
    const otherAgent = [parts[0], Buffer.from('sam').toString('base64url'), parts[2], parts[3]];
    const later = [parts[0], parts[1], String(Number(parts[2]) + HOUR), parts[3]];
    for (const forged of [otherAgent, later]) {
      await request(p.server)
        .get('/session')
        .set('Cookie', `${name}=${forged.join('.')}`)
        .expect(401);
    }
    // A cookie signed with another secret (another deployment) is refused too.
    const foreign = new SessionCookies('x'.repeat(32), HOUR).issue('alex', p.clock.now()).value;
    await request(p.server).get('/session').set('Cookie', `bm_session=${foreign}`).expect(401);
  });

  it('signs out: the cookie is cleared', async () => {
    await signIn(tokenOf('alex')).expect(200);
    const out = await request(p.server).delete('/session').set('X-BM-Console', '1').expect(204);
    expect((out.headers['set-cookie'] as unknown as string[])[0]).toMatch(
      /^bm_session=; .*Max-Age=0/,
    );
  });

  it('a bearer token still works beside sessions, and decides alone when present', async () => {
    const cookie = cookieOf(await signIn(tokenOf('alex')).expect(200));
    await request(p.server)
      .get('/session')
      .set('Cookie', cookie)
      .set('Authorization', 'Bearer not-a-token')
      .expect(401);
    const bySam = await p.as('sam').get('/session').expect(200);
    expect(bySam.body).toMatchObject({ agent: { agentId: 'sam' }, expiresAt: null });
  });
});

describe('cross-site requests with the session cookie', () => {
  let cookie: string;
  beforeEach(async () => {
    p = await startPipeline({ sessionTtlMs: HOUR });
    cookie = cookieOf(await signIn(tokenOf('alex')).expect(200));
    await p.customer.asksForAgent('conv-1');
  });

  it('refuses a state change without the console header, and changes nothing', async () => {
    const res = await request(p.server)
      .post('/conversations/conv-1/claim')
      .set('Cookie', cookie)
      .expect(403);
    expect(errorOf(res.body).message).toMatch(/cross-site request refused/);
    const after = await p.as('alex').get('/conversations/conv-1').expect(200);
    expect(after.body).toMatchObject({ conversation: { state: 'queued', assignee: null } });
  });

  it('refuses a foreign Origin even with the header', async () => {
    await request(p.server)
      .post('/conversations/conv-1/claim')
      .set('Cookie', cookie)
      .set('X-BM-Console', '1')
      .set('Origin', 'https://evil.example')
      .expect(403);
  });

  it('accepts the console’s own requests (header, same Origin)', async () => {
    const res = await request(p.server)
      .post('/conversations/conv-1/claim')
      .set('Cookie', cookie)
      .set('X-BM-Console', '1')
      .set('Host', 'agents.example')
      .set('Origin', 'http://agents.example')
      .expect(200);
    expect(res.body).toMatchObject({ conversation: { state: 'with_agent' } });
  });

  it('lets reads through without the header (nothing changes)', async () => {
    await request(p.server).get('/conversations').set('Cookie', cookie).expect(200);
  });
});

describe('claims that lose', () => {
  beforeEach(async () => {
    p = await startPipeline();
  });

  it('409 names who holds the conversation', async () => {
    await p.customer.asksForAgent('conv-1');
    await p.as('sam').post('/conversations/conv-1/claim').expect(200);
    const lost = await p.as('alex').post('/conversations/conv-1/claim').expect(409);
    expect(errorOf(lost.body)).toEqual({
      code: 'CONFLICT',
      message: 'taken by Sam',
      heldBy: { agentId: 'sam', displayName: 'Sam' },
    });
  });
});

describe('without token sign-in (behind Identity-Aware Proxy)', () => {
  beforeEach(async () => {
    p = await startPipeline();
  });

  it('has no sign-in: POST /session is 404, and GET /session says how the agent signed in', async () => {
    const res = await request(p.server)
      .post('/session')
      .set('X-BM-Console', '1')
      .send({ token: tokenOf('alex') })
      .expect(404);
    expect(errorOf(res.body).message).toMatch(/Identity-Aware Proxy/);
    const session = await p.as('alex').get('/session').expect(200);
    expect(session.body).toMatchObject({ auth: 'iap', expiresAt: null });
  });
});

describe('the session’s brands', () => {
  it('a brand whose configuration is broken still appears, by its ID, with no canned responses', async () => {
    p = await startPipeline();
    // The directory refuses the stored document, as the Firestore one does for a broken brand.
    jest
      .spyOn(p.brands, 'get')
      .mockRejectedValue(new BrandConfigError('velo-cafe', ['fallback: expected an object']));
    const session = await p.as('alex').get('/session').expect(200);
    expect(session.body).toMatchObject({
      brands: [{ brandId: 'velo-cafe', displayName: 'velo-cafe', cannedResponses: [] }],
    });
    expect(p.logEvents('agent_api_brand_unreadable')).toHaveLength(1);
  });
});

describe('the console’s files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-'));
  const html = '<!doctype html><title>Agent console</title><script src="./app.js"></script>';
  writeFileSync(path.join(dir, 'index.html'), html);
  writeFileSync(path.join(dir, 'app.js'), 'console.log("agent console");'.repeat(50));
  writeFileSync(path.join(dir, 'notes.txt'), 'not served');

  beforeEach(async () => {
    p = await startPipeline({ consoleDir: dir });
  });

  it('serves the page under /console/ without credentials, with a strict CSP', async () => {
    const res = await request(p.server).get('/console/').expect(200);
    expect(res.text).toBe(html);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('gzips for browsers that accept it, and answers 304 to a matching ETag', async () => {
    const res = await request(p.server)
      .get('/console/app.js')
      .set('Accept-Encoding', 'gzip')
      .expect(200);
    // supertest inflates the body; the header says it travelled compressed.
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.text).toContain('agent console');
    const plain = await request(p.server).get('/console/app.js').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const etag = res.headers.etag as string;
    await request(p.server).get('/console/app.js').set('If-None-Match', etag).expect(304);
  });

  it('redirects / and /console to /console/, and knows nothing else', async () => {
    expect((await request(p.server).get('/').expect(302)).headers.location).toBe('/console/');
    expect((await request(p.server).get('/console').expect(301)).headers.location).toBe(
      '/console/',
    );
    await request(p.server).get('/console/notes.txt').expect(404);
    await request(p.server).get('/console/..%2Fpackage.json').expect(404);
  });

  it('says plainly when the console is not built', async () => {
    await p.close();
    p = await startPipeline({ consoleDir: path.join(dir, 'missing') });
    const res = await request(p.server).get('/console/').expect(503);
    expect(errorOf(res.body).message).toMatch(/not built.*npm run build/);
  });
});

describe('GET /openapi.json', () => {
  beforeEach(async () => {
    p = await startPipeline();
  });

  it('describes every endpoint, the session, and the stream’s events, from the schemas', async () => {
    const res = await request(p.server).get('/openapi.json').expect(200);
    const doc = res.body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([route, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${route}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /session',
        'POST /session',
        'DELETE /session',
        'GET /conversations',
        'GET /conversations/{id}',
        'POST /conversations/{id}/claim',
        'POST /conversations/{id}/messages',
        'POST /conversations/{id}/typing',
        'POST /conversations/{id}/release',
        'POST /conversations/{id}/close',
        'GET /events',
        'GET /openapi.json',
      ].sort(),
    );
    const events = doc.paths['/events']?.get?.responses['200'] as { 'x-events': object };
    expect(Object.keys(events['x-events']).sort()).toEqual(
      [
        'conversation.removed',
        'conversation.updated',
        'customer.message',
        'customer.typing',
        'error',
        'ready',
        'reconnect',
      ].sort(),
    );
    // The request schemas are the validators': the message body's text limit is Google's.
    const send = doc.paths['/conversations/{id}/messages']?.post as unknown as {
      requestBody: {
        content: { 'application/json': { schema: { properties: { text: object } } } };
      };
    };
    expect(send.requestBody.content['application/json'].schema.properties.text).toMatchObject({
      type: 'string',
      maxLength: 3072,
    });
    expect(Object.keys(doc.components.schemas.ConversationView?.properties ?? {})).toEqual(
      expect.arrayContaining(['customerName', 'handoffReason', 'lastMessage', 'origin']),
    );
  });
});

describe('what the console reads', () => {
  beforeEach(async () => {
    p = await startPipeline();
  });

  it('the inbox row: customer name, why a human, the last message, where it came from', async () => {
    await p.customer.says('conv-1', 'Where are you?');
    await p.customer.says('conv-1', 'Can I talk to a human please?');
    const list = await p.as('alex').get('/conversations?state=queued').expect(200);
    expect((list.body as { conversations: unknown[] }).conversations).toEqual([
      expect.objectContaining({
        id: 'conv-1',
        customerName: 'Jane Doe',
        handoffReason: 'asked-for-human',
        lastMessage: {
          kind: 'text',
          text: 'Can I talk to a human please?',
          at: expect.any(String),
        },
        origin: { resolvedLocale: 'en' },
      }),
    ]);
  });

  it('the transcript as the customer saw it: rich cards, chips, queue notice, JOINED, the agent', async () => {
    await p.customer.says('conv-1', 'What are your prices?');
    await p.customer.asksForAgent('conv-1');
    await p.as('alex').post('/conversations/conv-1/claim').expect(200);
    await p
      .as('alex')
      .post('/conversations/conv-1/messages', { text: 'Hi, Alex here!' })
      .expect(202);
    await p.settle();
    const res = await p.as('alex').get('/conversations/conv-1').expect(200);
    const messages = (res.body as { messages: Record<string, unknown>[] }).messages;
    const outbound = messages.filter((m) => m.direction === 'outbound');
    const carousel = outbound.find((m) => m.richCard !== undefined);
    expect(carousel).toMatchObject({
      representativeType: 'BOT',
      representativeName: 'Vélo Café',
      richCard: { carouselCard: { cardContents: expect.any(Array) } },
      text: expect.any(String),
      suggestions: expect.any(Array),
    });
    expect(outbound.filter((m) => m.queueNotice === true)).toHaveLength(1);
    expect(outbound.find((m) => m.eventType === 'REPRESENTATIVE_JOINED')).toMatchObject({
      kind: 'event',
      representativeType: 'HUMAN',
      representativeName: 'Alex',
    });
    expect(
      outbound.find((m) => m.representativeType === 'HUMAN' && m.kind === 'message'),
    ).toMatchObject({
      kind: 'message',
      representativeType: 'HUMAN',
      representativeName: 'Alex',
      text: 'Hi, Alex here!',
      status: 'SENT',
    });
    // Bot answers are not queue notices, and nothing internal leaks into the view.
    expect(carousel?.queueNotice).toBeUndefined();
    expect(messages.every((m) => !('routing' in m) && !('causedBy' in m))).toBe(true);
  });
});
