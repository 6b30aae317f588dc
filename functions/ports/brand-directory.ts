import type { BrandConfig } from '../core/brand-config';

/**
 * Brand configurations (`brands/{brandId}` in Firestore). Reads validate: a stored document
 * that breaks the schema or a Business Messages limit is refused with `BrandConfigError`,
 * naming every bad field, and is never half-used.
 */
export interface BrandDirectory {
  /**
   * The brand's configuration, or undefined when none is stored. Throws `BrandConfigError`
   * (permanent) for an invalid document; any other error is transient.
   */
  get(brandId: string): Promise<BrandConfig | undefined>;
}

/** A directory that can also store configurations (seeding, admin tools). */
export interface WritableBrandDirectory extends BrandDirectory {
  /** Validates `document` and stores it as the configuration of its `brandId`. */
  put(document: unknown): Promise<BrandConfig>;
}
