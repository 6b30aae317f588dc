import type { BrandConfig } from '../core/brand-config';
import { BrandConfigError, loadBrandConfig } from '../core/brand-config';
import { routingSettingsOf, type RoutingSettings } from '../core/routing';
import type { WritableBrandDirectory } from '../ports/brand-directory';

interface Stored {
  /** The document as stored, for the fields read without validation (`dedicated`). */
  document: unknown;
  /** What a read answers: the validated configuration, or why the document is refused. */
  config: BrandConfig | BrandConfigError;
}

/** Brand configurations in memory: for tests and the one-process local mode. */
export class InMemoryBrandDirectory implements WritableBrandDirectory {
  private readonly brands = new Map<string, Stored>();

  /** `documents` are validated like stored ones; an invalid one throws `BrandConfigError`. */
  constructor(documents: readonly unknown[] = []) {
    for (const document of documents) this.store(document);
  }

  get(brandId: string): Promise<BrandConfig | undefined> {
    const config = this.brands.get(brandId)?.config;
    return config instanceof BrandConfigError ? Promise.reject(config) : Promise.resolve(config);
  }

  isDedicated(brandId: string): Promise<boolean> {
    const document = this.brands.get(brandId)?.document;
    return Promise.resolve(
      typeof document === 'object' &&
        document !== null &&
        (document as { dedicated?: unknown }).dedicated === true,
    );
  }

  routingFor(brandId: string): Promise<RoutingSettings> {
    return Promise.resolve(routingSettingsOf(this.brands.get(brandId)?.document));
  }

  put(document: unknown): Promise<BrandConfig> {
    try {
      return Promise.resolve(this.store(document));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Stores `document` under `brandId` without validating it, as an edit made straight in the
   * Firestore console would be: `get` then refuses it with `BrandConfigError` if it is invalid
   * (as the Firestore directory does), while `isDedicated` still reads its flag.
   */
  putUnchecked(brandId: string, document: unknown): void {
    let config: BrandConfig | BrandConfigError;
    try {
      config = loadBrandConfig(document);
    } catch (error) {
      if (!(error instanceof BrandConfigError)) throw error;
      config = error;
    }
    if (!(config instanceof BrandConfigError) && config.brandId !== brandId) {
      config = new BrandConfigError(brandId, [
        `brandId: ${config.brandId} is stored under brands/${brandId}`,
      ]);
    }
    this.brands.set(brandId, { document: structuredClone(document), config });
  }

  private store(document: unknown): BrandConfig {
    const config = loadBrandConfig(document);
    this.brands.set(config.brandId, { document: structuredClone(document), config });
    return config;
  }
}
