import type { RoutingSettings } from '../core/routing';

/**
 * Per-brand settings the pipeline reads. Production: the `brands/{brandId}` documents in
 * Firestore (functions/adapters/firestore-brand-settings.ts); tests: in memory.
 */
export interface BrandSettings {
  /** How the brand's conversations are routed; defaults when the brand has set nothing. */
  routingFor(brandId: string): Promise<RoutingSettings>;
}
