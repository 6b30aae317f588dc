import { Firestore } from '@google-cloud/firestore';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FirestoreBrandDirectory } from '../../adapters/firestore-brand-directory';
import type { BrandConfig } from '../../core/brand-config';
import type { WritableBrandDirectory } from '../../ports/brand-directory';
import harbourBooks from './harbour-books.json';
import veloCafe from './velo-cafe.json';

/**
 * The sample brand of the local stack, "Vélo Café" (`brands/velo-cafe/agents/velo-cafe-agent`):
 * a café and bike workshop that answers in English and French. Its configuration is the JSON
 * file next to this module, stored as-is in Firestore `brands/velo-cafe`.
 */
export const SAMPLE_BRAND_ID = 'velo-cafe';
export const SAMPLE_AGENT = 'brands/velo-cafe/agents/velo-cafe-agent';
export const SAMPLE_BRAND_FILE = path.join(__dirname, 'velo-cafe.json');

/** The sample brand's document, as stored (a fresh copy each call). */
export const sampleBrandDocument = (): unknown => structuredClone(veloCafe);

/**
 * The second sample brand, "Harbour Books" (`brands/harbour-books/agents/harbour-books-agent`):
 * English only, a rich card for order tracking, and its own live agent (`dev-agent-token-2`),
 * so that what one brand's agents may not see is visible locally. Its bot asks for typing
 * indicators around its answers (`bot.typingIndicators`), which Vélo Café's bot goes without.
 */
export const SECOND_SAMPLE_BRAND_ID = 'harbour-books';
export const SECOND_SAMPLE_AGENT = 'brands/harbour-books/agents/harbour-books-agent';
export const secondSampleBrandDocument = (): unknown => structuredClone(harbourBooks);

/** Every sample brand's document: what the local stack seeds. */
export const sampleBrandDocuments = (): unknown[] => [
  sampleBrandDocument(),
  secondSampleBrandDocument(),
];

/**
 * Validates and stores every brand of `file` (one brand document, or a list of them) in
 * Firestore `brands/{brandId}` or in a brand directory. Without `file`, the sample brands.
 * An invalid document throws `BrandConfigError` before anything of it is written.
 */
export async function seedBrands(
  target: Firestore | WritableBrandDirectory,
  file?: string,
): Promise<BrandConfig[]> {
  const documents = file === undefined ? sampleBrandDocuments() : await readBrandFile(file);
  const directory = isDirectory(target) ? target : new FirestoreBrandDirectory(target);
  const seeded: BrandConfig[] = [];
  for (const document of documents) seeded.push(await directory.put(document));
  return seeded;
}

/**
 * The local stack's seeder (the `Seeder` of functions/local/stack/seed.ts): the sample brand
 * into the Firestore emulator at `firestoreHost`, for project `projectId`: both sample brands.
 */
export async function seedSampleBrand(target: {
  firestoreHost: string;
  projectId: string;
}): Promise<void> {
  // ssl: false makes the client talk to the emulator as its owner, without credentials.
  const db = new Firestore({ projectId: target.projectId, host: target.firestoreHost, ssl: false });
  try {
    await seedBrands(db);
  } finally {
    await db.terminate();
  }
}

async function readBrandFile(file: string): Promise<unknown[]> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  return Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
}

const isDirectory = (
  target: Firestore | WritableBrandDirectory,
): target is WritableBrandDirectory =>
  typeof (target as Partial<WritableBrandDirectory>).put === 'function' &&
  typeof (target as Partial<Firestore>).collection !== 'function';
