import type { BrandConfig, QueueSettings } from '../core/brand-config';
import type { RoutingSettings } from '../core/routing';

/**
 * Brand configurations (`brands/{brandId}` in Firestore). Reads validate: a stored document
 * that breaks the schema or a Business Messages limit is refused with `BrandConfigError`,
 * naming every bad field, and is never half-used. The exceptions read part of the document:
 * `isDedicated` and `routingFor`, fields that publishers and the classifier need even when the
 * rest of the document is broken, and `queueSettings`, which validates only what the queue
 * notice reads.
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

  /**
   * What liveAgent's queue notice reads (`QueueSettings`: locales, places, the BOT
   * representative, human hours and their offline message, `dedicated`), validated alone: a
   * brand whose bot replies are broken still gets its queued customers told what happens next.
   * Undefined when no document is stored; throws `BrandConfigError` (permanent) when those
   * fields are invalid; any other error is transient.
   */
  queueSettings(brandId: string): Promise<QueueSettings | undefined>;
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
