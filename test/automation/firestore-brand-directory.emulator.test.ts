import { DocumentReference, Firestore } from '@google-cloud/firestore';
import { FirestoreBrandDirectory } from '../../functions/adapters/firestore-brand-directory';
import { BrandConfigError } from '../../functions/core/brand-config';
import {
  SAMPLE_BRAND_ID,
  sampleBrandDocument,
  seedBrands,
  seedSampleBrand,
} from '../../functions/local/sample-brand';
import { MINIMAL_BRAND_ID, minimalBrand } from '../fixtures/brands/minimal-brand';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';

describeWithEmulators('FirestoreBrandDirectory on the Firestore emulator', () => {
  let db: Firestore;
  beforeEach(() => {
    db = new Firestore({ projectId: uniqueProjectId('brands') });
  });
  afterEach(async () => {
    await db.terminate();
  });

  it('seeds the sample brand into brands/velo-cafe, as written in the file', async () => {
    await seedBrands(db);
    const stored = await db.collection('brands').doc(SAMPLE_BRAND_ID).get();
    expect(stored.data()).toEqual(sampleBrandDocument());
    // The classifier reads this exact field path.
    expect(stored.get('routing.missThreshold')).toBe(2);
    const brand = await new FirestoreBrandDirectory(db).get(SAMPLE_BRAND_ID);
    expect(brand?.displayName).toBe('Vélo Café');
  });

  it('seeds the emulator the local stack names (seedSampleBrand)', async () => {
    const projectId = uniqueProjectId('stack');
    const firestoreHost = process.env.FIRESTORE_EMULATOR_HOST!;
    // The stack passes the host; without the variable the client must still reach it.
    delete process.env.FIRESTORE_EMULATOR_HOST;
    try {
      await seedSampleBrand({ firestoreHost, projectId });
    } finally {
      process.env.FIRESTORE_EMULATOR_HOST = firestoreHost;
    }
    const stack = new Firestore({ projectId });
    const brand = await new FirestoreBrandDirectory(stack).get(SAMPLE_BRAND_ID);
    await stack.terminate();
    expect(brand?.agents).toEqual(['brands/velo-cafe/agents/velo-cafe-agent']);
  });

  it('answers undefined for a brand without a document', async () => {
    await expect(new FirestoreBrandDirectory(db).get('nobody')).resolves.toBeUndefined();
  });

  it('refuses an invalid stored document, and a document stored under another ID', async () => {
    const broken = minimalBrand();
    broken.hours.bot.timeZone = 'Mars/Olympus_Mons';
    await db.collection('brands').doc(MINIMAL_BRAND_ID).set(broken);
    await db.collection('brands').doc('elsewhere').set(minimalBrand());
    const directory = new FirestoreBrandDirectory(db);
    await expect(directory.get(MINIMAL_BRAND_ID)).rejects.toThrow(BrandConfigError);
    await expect(directory.get(MINIMAL_BRAND_ID)).rejects.toThrow(
      'hours.bot.timeZone: unknown IANA time zone "Mars/Olympus_Mons"',
    );
    await expect(directory.get('elsewhere')).rejects.toThrow(
      'brandId: test-brand is stored under brands/elsewhere',
    );
  });

  it('reads the dedicated flag alone, even from a document that fails validation', async () => {
    const broken = { ...minimalBrand(), dedicated: true, routing: { missThreshold: 0 } };
    await db.collection('brands').doc(MINIMAL_BRAND_ID).set(broken);
    await db
      .collection('brands')
      .doc('shared')
      .set({ ...minimalBrand(), brandId: 'shared' });
    await db.collection('brands').doc('odd').set({ dedicated: 'true' });
    const directory = new FirestoreBrandDirectory(db);
    await expect(directory.get(MINIMAL_BRAND_ID)).rejects.toThrow(BrandConfigError);
    await expect(directory.isDedicated(MINIMAL_BRAND_ID)).resolves.toBe(true);
    await expect(directory.isDedicated('shared')).resolves.toBe(false);
    await expect(directory.isDedicated('odd')).resolves.toBe(false);
    await expect(directory.isDedicated('nobody')).resolves.toBe(false);
  });

  it('stores and reads a brand whose ID Firestore reserves, escaped', async () => {
    const reserved = { ...minimalBrand(), brandId: '__reserved__', dedicated: true };
    reserved.agents = ['brands/__reserved__/agents/test-agent'];
    const directory = new FirestoreBrandDirectory(db);
    await directory.put(reserved);
    await expect(directory.get('__reserved__')).resolves.toMatchObject({
      brandId: '__reserved__',
    });
    await expect(directory.isDedicated('__reserved__')).resolves.toBe(true);
    expect((await db.collection('brands').doc('%5F_reserved__').get()).exists).toBe(true);
  });

  describe('queueSettings: what liveAgent reads', () => {
    it('validates the queue settings alone: a broken bot part does not matter', async () => {
      const brokenBot = minimalBrand();
      brokenBot.intents[0]!.replies.en!.text = 'x'.repeat(3073);
      await db.collection('brands').doc(MINIMAL_BRAND_ID).set(brokenBot);
      const directory = new FirestoreBrandDirectory(db);
      await expect(directory.get(MINIMAL_BRAND_ID)).rejects.toThrow(
        'intents[0].replies.en.text: must be at most 3072 characters (got 3073)',
      );
      await expect(directory.queueSettings(MINIMAL_BRAND_ID)).resolves.toMatchObject({
        brandId: MINIMAL_BRAND_ID,
        locales: ['en', 'fr'],
        hours: { human: { timeZone: 'Europe/Paris', returnToBotWhenOffline: true } },
      });
      await expect(directory.queueSettings('nobody')).resolves.toBeUndefined();
    });

    it('refuses invalid queue settings naming the field, and a document stored under another ID', async () => {
      const broken = minimalBrand();
      broken.hours.human.offlineMessage = { en: { text: 'Team offline.' } };
      await db.collection('brands').doc(MINIMAL_BRAND_ID).set(broken);
      await db.collection('brands').doc('elsewhere').set(minimalBrand());
      const directory = new FirestoreBrandDirectory(db);
      await expect(directory.queueSettings(MINIMAL_BRAND_ID)).rejects.toThrow(BrandConfigError);
      await expect(directory.queueSettings(MINIMAL_BRAND_ID)).rejects.toThrow(
        'hours.human.offlineMessage.fr: missing the fr version',
      );
      await expect(directory.queueSettings('elsewhere')).rejects.toThrow(
        'brandId: test-brand is stored under brands/elsewhere',
      );
    });

    it('one read serves get, routingFor, isDedicated and queueSettings; validations are cached', async () => {
      let clock = 0;
      const directory = new FirestoreBrandDirectory(db, { cacheTtlMs: 1000, now: () => clock });
      await directory.put({ ...minimalBrand(), dedicated: true });
      const reads = jest.spyOn(DocumentReference.prototype, 'get');
      try {
        const settings = await directory.queueSettings(MINIMAL_BRAND_ID);
        expect(settings?.dedicated).toBe(true);
        await expect(directory.get(MINIMAL_BRAND_ID)).resolves.toMatchObject({ dedicated: true });
        await expect(directory.routingFor(MINIMAL_BRAND_ID)).resolves.toEqual({ missThreshold: 2 });
        await expect(directory.isDedicated(MINIMAL_BRAND_ID)).resolves.toBe(true);
        // The same validation answers again, not a new one.
        await expect(directory.queueSettings(MINIMAL_BRAND_ID)).resolves.toBe(settings);
        expect(reads).toHaveBeenCalledTimes(1);

        // An edit is seen once the TTL is over, with one more read.
        await db.collection('brands').doc(MINIMAL_BRAND_ID).update({ displayName: 'Renamed' });
        clock = 999;
        expect((await directory.queueSettings(MINIMAL_BRAND_ID))?.displayName).toBe('Test Brand');
        clock = 1000;
        expect((await directory.queueSettings(MINIMAL_BRAND_ID))?.displayName).toBe('Renamed');
        expect(reads).toHaveBeenCalledTimes(2);
      } finally {
        reads.mockRestore();
      }
    });

    it('does not cache an invalid document: a fix is live at once', async () => {
      const directory = new FirestoreBrandDirectory(db, { cacheTtlMs: 60_000, now: () => 0 });
      const broken = minimalBrand();
      broken.hours.human.timeZone = 'Mars/Olympus_Mons';
      await db.collection('brands').doc(MINIMAL_BRAND_ID).set(broken);
      await expect(directory.queueSettings(MINIMAL_BRAND_ID)).rejects.toThrow(
        'hours.human.timeZone: unknown IANA time zone "Mars/Olympus_Mons"',
      );
      await db
        .collection('brands')
        .doc(MINIMAL_BRAND_ID)
        .update({ 'hours.human.timeZone': 'Europe/Paris' });
      await expect(directory.queueSettings(MINIMAL_BRAND_ID)).resolves.toMatchObject({
        hours: { human: { timeZone: 'Europe/Paris' } },
      });
    });
  });

  it('reuses what it read for the cache TTL, then reads again', async () => {
    let clock = 0;
    const directory = new FirestoreBrandDirectory(db, { cacheTtlMs: 1000, now: () => clock });
    await directory.put(minimalBrand());
    expect((await directory.get(MINIMAL_BRAND_ID))?.routing.missThreshold).toBe(2);
    await db.collection('brands').doc(MINIMAL_BRAND_ID).update({ 'routing.missThreshold': 5 });
    clock = 999;
    expect((await directory.get(MINIMAL_BRAND_ID))?.routing.missThreshold).toBe(2);
    clock = 1000;
    expect((await directory.get(MINIMAL_BRAND_ID))?.routing.missThreshold).toBe(5);
  });
});
