import type { DocumentData, Firestore } from '@google-cloud/firestore';
import type { BrandConfig } from '../core/brand-config';
import { BrandConfigError, loadBrandConfig } from '../core/brand-config';
import type { WritableBrandDirectory } from '../ports/brand-directory';

export interface FirestoreBrandDirectoryOptions {
  /** Collection of brand documents, one per brand ID. */
  collection?: string;
  /** How long a read configuration is reused by this instance; 0 reads every time. */
  cacheTtlMs?: number;
  now?: () => number;
}

/**
 * Brand configurations in Firestore, `brands/{brandId}`: the document is the configuration as
 * written (the sample brand's JSON file is one). Reads are cached per instance for a minute by
 * default, so a busy conversation costs no read per message and an edit is live within the TTL.
 * Failures (a missing brand is not one) are not cached.
 */
export class FirestoreBrandDirectory implements WritableBrandDirectory {
  private readonly cache = new Map<
    string,
    { until: number; value: Promise<BrandConfig | undefined> }
  >();
  private readonly collection: string;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly firestore: Firestore,
    options: FirestoreBrandDirectoryOptions = {},
  ) {
    this.collection = options.collection ?? 'brands';
    this.ttlMs = options.cacheTtlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get(brandId: string): Promise<BrandConfig | undefined> {
    const at = this.now();
    const hit = this.cache.get(brandId);
    if (hit && hit.until > at) return hit.value;
    const value = this.read(brandId);
    const entry = { until: at + this.ttlMs, value };
    this.cache.set(brandId, entry);
    value.catch(() => {
      if (this.cache.get(brandId) === entry) this.cache.delete(brandId);
    });
    return value;
  }

  async put(document: unknown): Promise<BrandConfig> {
    const config = loadBrandConfig(document);
    await this.firestore
      .collection(this.collection)
      .doc(config.brandId)
      .set(document as DocumentData);
    this.cache.delete(config.brandId);
    return config;
  }

  private async read(brandId: string): Promise<BrandConfig | undefined> {
    const snapshot = await this.firestore.collection(this.collection).doc(brandId).get();
    if (!snapshot.exists) return undefined;
    const config = loadBrandConfig(snapshot.data());
    if (config.brandId !== brandId) {
      throw new BrandConfigError(brandId, [
        `brandId: ${config.brandId} is stored under ${this.collection}/${brandId}`,
      ]);
    }
    return config;
  }
}
