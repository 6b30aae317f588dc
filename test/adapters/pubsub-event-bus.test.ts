import type { PubSub } from '@google-cloud/pubsub';
import { PubSubEventBus } from '../../functions/adapters/pubsub-event-bus';
import { classifyFailure } from '../../functions/core/failure';
import { PublishFailedError, TOPICS, type Topic } from '../../functions/ports/event-bus';

// How PubSubEventBus tells a message Pub/Sub refuses for good from a publish that may pass
// later. The emulator enforces none of Pub/Sub's size limits, so the client is a stand-in here
// that fails the way @google-cloud/pubsub does: with the gRPC status code on the error.

const topicIds = Object.fromEntries(TOPICS.map((t) => [t, t])) as Record<Topic, string>;

function busFailingWith(error: Error) {
  const resumed: string[] = [];
  const topic = {
    // The client's callback form, which the bus uses.
    publishMessage: (_message: unknown, callback: (error: Error) => void) => callback(error),
    resumePublishing: (key: string) => void resumed.push(key),
    flush: () => Promise.resolve(),
  };
  const pubsub = { topic: () => topic, close: () => Promise.resolve() };
  const bus = new PubSubEventBus(pubsub as unknown as PubSub, { topicIds });
  return { bus, resumed };
}

const grpcError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('PubSubEventBus: which failed publishes are worth retrying', () => {
  it('INVALID_ARGUMENT (an attribute or key over its limit) is permanent', async () => {
    const { bus, resumed } = busFailingWith(
      grpcError(3, '3 INVALID_ARGUMENT: attribute value too long'),
    );
    const failure = await bus
      .publish('inbound', { data: 'x', attributes: {}, orderingKey: 'conv-1' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PublishFailedError);
    expect(failure).toMatchObject({ retryable: false, topic: 'inbound' });
    expect(classifyFailure(failure)).toBe('permanent');
    // The ordering key is resumed all the same, or the conversation's next events would fail.
    expect(resumed).toEqual(['conv-1']);
  });

  it.each([
    ['UNAVAILABLE', grpcError(14, '14 UNAVAILABLE')],
    ['DEADLINE_EXCEEDED', grpcError(4, '4 DEADLINE_EXCEEDED')],
    ['PERMISSION_DENIED', grpcError(7, '7 PERMISSION_DENIED')],
    ['no code at all', new Error('socket hang up')],
  ])('%s stays retryable', async (_name, error) => {
    const { bus } = busFailingWith(error);
    const failure = await bus
      .publish('outbound', { data: 'x', attributes: {} })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ retryable: true });
    expect(classifyFailure(failure)).toBe('transient');
  });
});
