import type { BrandConfig } from '../core/brand-config';
import { loadBrandConfig } from '../core/brand-config';
import type { WritableBrandDirectory } from '../ports/brand-directory';

/** Brand configurations in memory: for tests and the one-process local mode. */
export class InMemoryBrandDirectory implements WritableBrandDirectory {
  private readonly brands = new Map<string, BrandConfig>();

  /** `documents` are validated like stored ones; an invalid one throws `BrandConfigError`. */
  constructor(documents: readonly unknown[] = []) {
    for (const document of documents) this.store(document);
  }

  get(brandId: string): Promise<BrandConfig | undefined> {
    return Promise.resolve(this.brands.get(brandId));
  }

  put(document: unknown): Promise<BrandConfig> {
    try {
      return Promise.resolve(this.store(document));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private store(document: unknown): BrandConfig {
    const config = loadBrandConfig(document);
    this.brands.set(config.brandId, config);
    return config;
  }
}
