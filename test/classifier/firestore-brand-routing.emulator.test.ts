import { Firestore } from '@google-cloud/firestore';
import { FirestoreBrandDirectory } from '../../functions/adapters/firestore-brand-directory';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';

describeWithEmulators('FirestoreBrandDirectory.routingFor on the Firestore emulator', () => {
  let db: Firestore;
  let now = Date.parse('2026-11-25T12:00:00.000Z');
  let brands: FirestoreBrandDirectory;

  beforeAll(() => {
    db = new Firestore({ projectId: uniqueProjectId('brands') });
    brands = new FirestoreBrandDirectory(db, { now: () => now });
  });
  afterAll(() => db.terminate());

  it.each([
    ['no document', undefined, 2],
    ['no routing settings', { name: 'Velo' }, 2],
    ['a threshold', { routing: { missThreshold: 3 } }, 3],
    ['a threshold of 0', { routing: { missThreshold: 0 } }, 2],
    ['a fractional threshold', { routing: { missThreshold: 1.5 } }, 2],
    ['a threshold as text', { routing: { missThreshold: '4' } }, 2],
  ])('%s → missThreshold %d', async (name, doc, expected) => {
    const brandId = `brand-${name.replace(/\W+/g, '-')}`;
    if (doc) await db.doc(`brands/${brandId}`).set(doc);
    await expect(brands.routingFor(brandId)).resolves.toEqual({ missThreshold: expected });
  });

  it('escapes the brand ID like every document ID of ours', async () => {
    // `__reserved__` is a valid brand ID of Google's agent names, and a Firestore ID it refuses
    // with INVALID_ARGUMENT: read as is, every event of the brand would fail until dead-lettered.
    await db.doc('brands/%5F_reserved__').set({ routing: { missThreshold: 4 } });
    await expect(brands.routingFor('__reserved__')).resolves.toEqual({ missThreshold: 4 });
  });

  it('reads a brand again only after 60 seconds', async () => {
    await db.doc('brands/cached').set({ routing: { missThreshold: 3 } });
    await expect(brands.routingFor('cached')).resolves.toEqual({ missThreshold: 3 });
    await db.doc('brands/cached').set({ routing: { missThreshold: 5 } });
    now += 59_999;
    await expect(brands.routingFor('cached')).resolves.toEqual({ missThreshold: 3 });
    now += 1;
    await expect(brands.routingFor('cached')).resolves.toEqual({ missThreshold: 5 });
  });
});
