import type { Firestore } from '@google-cloud/firestore';
import { DEFAULT_MISS_THRESHOLD, type RoutingSettings } from '../core/routing';
import type { BrandSettings } from '../ports/brand-settings';
import { firestoreId } from './firestore-conversation-store';

export interface FirestoreBrandSettingsOptions {
  now?: () => Date;
  /** How long an instance reuses what it read; a change reaches every instance within it. */
  cacheMs?: number;
}

/**
 * Brand settings from `brands/{brandId}`: `routing.missThreshold` (a positive integer; the
 * default 2 when absent, invalid, or the brand has no document). Read at most once per brand
 * per `cacheMs` (60 s) per instance; concurrent first reads share one request; a failed read
 * is not cached.
 */
export class FirestoreBrandSettings implements BrandSettings {
  private readonly cache = new Map<string, { expires: number; value: Promise<RoutingSettings> }>();
  private readonly now: () => Date;
  private readonly cacheMs: number;

  constructor(
    private readonly db: Firestore,
    options: FirestoreBrandSettingsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.cacheMs = options.cacheMs ?? 60_000;
  }

  routingFor(brandId: string): Promise<RoutingSettings> {
    const now = this.now().getTime();
    const cached = this.cache.get(brandId);
    if (cached && cached.expires > now) return cached.value;
    const value = this.read(brandId);
    this.cache.set(brandId, { expires: now + this.cacheMs, value });
    value.catch(() => {
      if (this.cache.get(brandId)?.value === value) this.cache.delete(brandId);
    });
    return value;
  }

  private async read(brandId: string): Promise<RoutingSettings> {
    // Escaped like every document ID of ours (FirestoreBrandDirectory writes it so): a brand ID
    // like `__x__` is reserved by Firestore, and refused on every retry if used as is.
    const snapshot = await this.db.collection('brands').doc(firestoreId(brandId)).get();
    const threshold: unknown = snapshot.get('routing.missThreshold');
    return {
      missThreshold:
        typeof threshold === 'number' && Number.isInteger(threshold) && threshold > 0
          ? threshold
          : DEFAULT_MISS_THRESHOLD,
    };
  }
}
