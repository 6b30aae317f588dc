import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { awaitedOutsideRequestDomain } from '../../functions/platform/entry';

/**
 * Event functions run their work outside functions-framework's per-request `node:domain`
 * (awaitedOutsideRequestDomain): the framework must still answer only once the work is done,
 * 204 when it resolves and 500 when it rejects, so that Pub/Sub acknowledges exactly what was
 * handled. This fails if a framework upgrade changes how it awaits an event function's promise.
 */
describe('event functions outside the request domain, under functions-framework', () => {
  const pushBody = {
    message: {
      data: Buffer.from('{}').toString('base64'),
      messageId: '1',
      publishTime: '2026-11-30T00:00:00.000Z',
    },
    subscription: 'projects/p/subscriptions/s',
  };

  /** A CloudEvent function whose work is `work`, under the framework's test server. */
  const serve = (work: () => Promise<void>) => {
    const name = `event-${randomBytes(4).toString('hex')}`;
    ff.cloudEvent(name, () => awaitedOutsideRequestDomain(work));
    return getTestServer(name);
  };

  const push = (server: ReturnType<typeof getTestServer>) =>
    request(server)
      .post('/projects/p/topics/t')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(pushBody))
      .timeout(2_000);

  it('runs the work with no domain active, where the framework made one', async () => {
    const seen: { inside?: unknown; around?: unknown } = {};
    const name = `event-${randomBytes(4).toString('hex')}`;
    ff.cloudEvent(name, () => {
      seen.around = (process as { domain?: unknown }).domain;
      return awaitedOutsideRequestDomain(async () => {
        seen.inside = (process as { domain?: unknown }).domain;
        await Promise.resolve();
      });
    });
    const res = await push(getTestServer(name));
    expect(res.status).toBe(204);
    expect(seen.around).toBeDefined();
    expect(seen.inside).toBeUndefined();
  });

  it('answers only once the work has resolved, then 204', async () => {
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let done = false;
    const server = serve(async () => {
      await finished;
      done = true;
    });
    const answered = push(server).then((res) => ({ res, doneWhenAnswered: done }));
    // The request is in flight and the work is waiting: no answer may come before it ends.
    await new Promise((resolve) => setTimeout(resolve, 50));
    finish();
    const { res, doneWhenAnswered } = await answered;
    expect(res.status).toBe(204);
    expect(doneWhenAnswered).toBe(true);
  });

  it('answers 500 when the work rejects, so that Pub/Sub redelivers', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const res = await push(
        serve(async () => {
          await Promise.resolve();
          throw new Error('store unavailable');
        }),
      );
      expect(res.status).toBe(500);
    } finally {
      error.mockRestore();
    }
  });

  it('is the work itself outside any domain', async () => {
    await expect(awaitedOutsideRequestDomain(() => Promise.resolve(7))).resolves.toBe(7);
  });
});
