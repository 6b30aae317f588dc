import type { BrandConfig } from '../core/brand-config';
import type { RoutingSettings } from '../core/routing';

/**
 * Brand configurations (`brands/{brandId}` in Firestore). Reads validate: a stored document
 * that breaks the schema or a Business Messages limit is refused with `BrandConfigError`,
 * naming every bad field, and is never half-used. The one exception is `isDedicated`, a
 * routing flag that publishers need even when the rest of the document is broken.
 */
export interface BrandDirectory {
  /**
   * The brand's configuration, or undefined when none is stored. Throws `BrandConfigError`
   * (permanent) for an invalid document; any other error is transient.
   */
  get(brandId: string): Promise<BrandConfig | undefined>;

  /**
   * Whether the brand's messages go to its own sender (`dedicated: true`, infra/brand.sh), read
   * from that field alone without validating the rest of the document: a live agent's JOINED
   * must not wait for someone to fix the bot's replies. False when no document is stored or the
   * field is anything but `true`; rejects only when the document cannot be read.
   */
  isDedicated(brandId: string): Promise<boolean>;

  /**
   * How the brand's conversations are routed (`routing.missThreshold`), read from that field
   * alone like `isDedicated`: the classifier routes even while the bot's replies are broken.
   * Defaults when the brand has no document or the field is unusable; rejects only when the
   * document cannot be read.
   */
  routingFor(brandId: string): Promise<RoutingSettings>;
}

/** A directory that can also store configurations (seeding, admin tools). */
export interface WritableBrandDirectory extends BrandDirectory {
  /** Validates `document` and stores it as the configuration of its `brandId`. */
  put(document: unknown): Promise<BrandConfig>;
}

/**
 * Brand documents as stored, valid or not: what an operator pulls, lists and compares before a
 * push (functions/ops). Reading one never validates it, so a broken document can be fixed.
 */
export interface BrandDocuments {
  document(brandId: string): Promise<Record<string, unknown> | undefined>;
  documents(): Promise<{ brandId: string; document: Record<string, unknown> }[]>;
}
