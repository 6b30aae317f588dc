import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InMemoryBrandDirectory } from '../../functions/adapters/in-memory-brand-directory';
import { BrandConfigError } from '../../functions/core/brand-config';
import {
  SAMPLE_AGENT,
  SAMPLE_BRAND_FILE,
  SAMPLE_BRAND_ID,
  sampleBrandDocument,
  seedBrands,
} from '../../functions/local/sample-brand';
import { MINIMAL_BRAND_ID, minimalBrand } from '../fixtures/brands/minimal-brand';

describe('InMemoryBrandDirectory', () => {
  it('stores validated configurations by brand ID', async () => {
    const directory = new InMemoryBrandDirectory([minimalBrand()]);
    await expect(directory.get(MINIMAL_BRAND_ID)).resolves.toMatchObject({
      brandId: MINIMAL_BRAND_ID,
    });
    await expect(directory.get('nobody')).resolves.toBeUndefined();
  });

  it('refuses an invalid configuration, naming the field', async () => {
    const directory = new InMemoryBrandDirectory();
    const document = minimalBrand();
    document.routing = { missThreshold: 0 };
    await expect(directory.put(document)).rejects.toThrow(BrandConfigError);
    await expect(directory.put(document)).rejects.toThrow(/routing\.missThreshold: /);
    await expect(directory.get(MINIMAL_BRAND_ID)).resolves.toBeUndefined();
  });
});

describe('InMemoryBrandDirectory: a document stored without validation', () => {
  it('is refused by get, like a stored invalid one, while its dedicated flag is read', async () => {
    const directory = new InMemoryBrandDirectory();
    const document = { ...minimalBrand(), dedicated: true, routing: { missThreshold: 0 } };
    directory.putUnchecked(MINIMAL_BRAND_ID, document);
    await expect(directory.get(MINIMAL_BRAND_ID)).rejects.toThrow(/routing\.missThreshold/);
    await expect(directory.isDedicated(MINIMAL_BRAND_ID)).resolves.toBe(true);
    await expect(directory.isDedicated('nobody')).resolves.toBe(false);
  });

  it('stored under another brand ID is refused, as Firestore’s directory does', async () => {
    const directory = new InMemoryBrandDirectory();
    directory.putUnchecked('elsewhere', minimalBrand());
    await expect(directory.get('elsewhere')).rejects.toThrow(
      'brandId: test-brand is stored under brands/elsewhere',
    );
    await expect(directory.isDedicated('elsewhere')).resolves.toBe(false);
  });
});

describe('InMemoryBrandDirectory.queueSettings: what liveAgent reads', () => {
  it('answers the validated queue settings, and undefined for a brand without a document', async () => {
    const directory = new InMemoryBrandDirectory([minimalBrand()]);
    await expect(directory.queueSettings(MINIMAL_BRAND_ID)).resolves.toMatchObject({
      brandId: MINIMAL_BRAND_ID,
      defaultLocale: 'en',
      hours: { human: { timeZone: 'Europe/Paris', returnToBotWhenOffline: true } },
    });
    await expect(directory.queueSettings('nobody')).resolves.toBeUndefined();
  });

  it('answers for a brand whose bot part is broken, which get refuses', async () => {
    const directory = new InMemoryBrandDirectory();
    const document = minimalBrand();
    document.intents[0]!.replies.en!.text = 'x'.repeat(3073);
    directory.putUnchecked(MINIMAL_BRAND_ID, document);
    await expect(directory.get(MINIMAL_BRAND_ID)).rejects.toThrow(
      /intents\[0\]\.replies\.en\.text/,
    );
    await expect(directory.queueSettings(MINIMAL_BRAND_ID)).resolves.toMatchObject({
      brandId: MINIMAL_BRAND_ID,
    });
  });

  it('refuses invalid queue settings, naming the field, and a document stored under another ID', async () => {
    const directory = new InMemoryBrandDirectory();
    const document = minimalBrand();
    document.hours.human.timeZone = 'Mars/Olympus_Mons';
    directory.putUnchecked(MINIMAL_BRAND_ID, document);
    directory.putUnchecked('elsewhere', minimalBrand());
    await expect(directory.queueSettings(MINIMAL_BRAND_ID)).rejects.toThrow(BrandConfigError);
    await expect(directory.queueSettings(MINIMAL_BRAND_ID)).rejects.toThrow(
      'hours.human.timeZone: unknown IANA time zone "Mars/Olympus_Mons"',
    );
    await expect(directory.queueSettings('elsewhere')).rejects.toThrow(
      'brandId: test-brand is stored under brands/elsewhere',
    );
  });
});

describe('seedBrands', () => {
  it('seeds the sample brand (Vélo Café) by default', async () => {
    const directory = new InMemoryBrandDirectory();
    const [seeded] = await seedBrands(directory);
    expect(seeded?.brandId).toBe(SAMPLE_BRAND_ID);
    expect(seeded?.agents).toEqual([SAMPLE_AGENT]);
    expect(seeded?.routing.missThreshold).toBe(2);
    await expect(directory.get(SAMPLE_BRAND_ID)).resolves.toEqual(seeded);
  });

  it('reads one brand or a list of brands from a file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'brands-'));
    const file = path.join(dir, 'brands.json');
    writeFileSync(file, JSON.stringify([minimalBrand(), sampleBrandDocument()]));
    const directory = new InMemoryBrandDirectory();
    const seeded = await seedBrands(directory, file);
    expect(seeded.map((b) => b.brandId)).toEqual([MINIMAL_BRAND_ID, SAMPLE_BRAND_ID]);
    expect((await seedBrands(new InMemoryBrandDirectory(), SAMPLE_BRAND_FILE))[0]?.brandId).toBe(
      SAMPLE_BRAND_ID,
    );
  });

  it('stops at an invalid brand with the reason', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'brands-'));
    const file = path.join(dir, 'broken.json');
    const broken = minimalBrand();
    broken.intents[0]!.replies.fr!.suggestions = [
      { reply: { text: 'Réserver une réparation de vélo', postbackData: 'intent:prices' } },
    ];
    writeFileSync(file, JSON.stringify(broken));
    await expect(seedBrands(new InMemoryBrandDirectory(), file)).rejects.toThrow(
      'intents[0].replies.fr.suggestions[0].reply.text: must be at most 25 characters (got 31)',
    );
  });
});
