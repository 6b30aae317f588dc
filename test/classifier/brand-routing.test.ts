import type { Firestore } from '@google-cloud/firestore';
import { FirestoreBrandDirectory } from '../../functions/adapters/firestore-brand-directory';
import { InMemoryBrandDirectory } from '../../functions/adapters/in-memory-brand-directory';
import { sampleBrandDocument } from '../../functions/local/sample-brand';

// What the classifier reads of a brand: its routing settings, through the brand directory.

describe('InMemoryBrandDirectory.routingFor', () => {
  it('reads the brand’s threshold, and defaults to 2', async () => {
    const brands = new InMemoryBrandDirectory([sampleBrandDocument()]);
    brands.putUnchecked('four', { routing: { missThreshold: 4 } });
    await expect(brands.routingFor('velo-cafe')).resolves.toEqual({ missThreshold: 2 });
    await expect(brands.routingFor('four')).resolves.toEqual({ missThreshold: 4 });
    await expect(brands.routingFor('other')).resolves.toEqual({ missThreshold: 2 });
  });

  it('still routes a brand whose configuration is broken', async () => {
    const brands = new InMemoryBrandDirectory();
    brands.putUnchecked('broken', { routing: { missThreshold: 3 }, fallback: 'not a reply' });
    await expect(brands.get('broken')).rejects.toThrow(/invalid brand configuration/);
    await expect(brands.routingFor('broken')).resolves.toEqual({ missThreshold: 3 });
  });
});

describe('FirestoreBrandDirectory.routingFor: caching (reads counted on a stand-in document)', () => {
  /** Only the one call the adapter makes; real reads are tested on the emulator. */
  function firestoreReturning(read: () => Promise<{ exists: boolean; data(): unknown }>) {
    const get = jest.fn(read);
    const db = { collection: () => ({ doc: () => ({ get }) }) } as unknown as Firestore;
    return { db, get };
  }

  it('concurrent first reads share one request; a failed read is not cached', async () => {
    let fail = true;
    const { db, get } = firestoreReturning(async () => {
      if (fail) throw Object.assign(new Error('unavailable'), { code: 14 });
      return { exists: true, data: () => ({ routing: { missThreshold: 5 } }) };
    });
    const brands = new FirestoreBrandDirectory(db, { now: () => 0 });
    const results = await Promise.allSettled([brands.routingFor('b'), brands.routingFor('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(get).toHaveBeenCalledTimes(1);
    fail = false;
    await expect(brands.routingFor('b')).resolves.toEqual({ missThreshold: 5 });
    await expect(brands.routingFor('b')).resolves.toEqual({ missThreshold: 5 });
    // One read serves the routing settings, the dedicated flag and the configuration alike.
    await expect(brands.isDedicated('b')).resolves.toBe(false);
    expect(get).toHaveBeenCalledTimes(2);
  });
});
