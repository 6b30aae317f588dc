import type { Firestore } from '@google-cloud/firestore';
import { FirestoreBrandSettings } from '../../functions/adapters/firestore-brand-settings';
import { InMemoryBrandSettings } from '../../functions/adapters/in-memory-brand-settings';

describe('InMemoryBrandSettings', () => {
  it('defaults to a miss threshold of 2', async () => {
    const settings = new InMemoryBrandSettings({ 'velo-cafe': { missThreshold: 4 } });
    await expect(settings.routingFor('velo-cafe')).resolves.toEqual({ missThreshold: 4 });
    await expect(settings.routingFor('other')).resolves.toEqual({ missThreshold: 2 });
  });
});

describe('FirestoreBrandSettings: caching (reads counted on a stand-in document)', () => {
  /** Only the one call the adapter makes; real reads are tested on the emulator. */
  function firestoreReturning(read: () => Promise<{ get(path: string): unknown }>) {
    const get = jest.fn(read);
    const db = { collection: () => ({ doc: () => ({ get }) }) } as unknown as Firestore;
    return { db, get };
  }

  it('concurrent first reads share one request; a failed read is not cached', async () => {
    let fail = true;
    const { db, get } = firestoreReturning(async () => {
      if (fail) throw Object.assign(new Error('unavailable'), { code: 14 });
      return { get: () => 5 };
    });
    const settings = new FirestoreBrandSettings(db, { now: () => new Date(0) });
    const results = await Promise.allSettled([settings.routingFor('b'), settings.routingFor('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(get).toHaveBeenCalledTimes(1);
    fail = false;
    await expect(settings.routingFor('b')).resolves.toEqual({ missThreshold: 5 });
    await expect(settings.routingFor('b')).resolves.toEqual({ missThreshold: 5 });
    expect(get).toHaveBeenCalledTimes(2);
  });
});
