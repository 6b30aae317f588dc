import { DEFAULT_MISS_THRESHOLD, type RoutingSettings } from '../core/routing';
import type { BrandSettings } from '../ports/brand-settings';

/** Brand settings held in memory, for tests and the local mode. */
export class InMemoryBrandSettings implements BrandSettings {
  private readonly routing = new Map<string, RoutingSettings>();

  constructor(routing: Record<string, Partial<RoutingSettings>> = {}) {
    for (const [brandId, settings] of Object.entries(routing)) this.set(brandId, settings);
  }

  set(brandId: string, settings: Partial<RoutingSettings>): void {
    this.routing.set(brandId, { missThreshold: DEFAULT_MISS_THRESHOLD, ...settings });
  }

  routingFor(brandId: string): Promise<RoutingSettings> {
    return Promise.resolve({
      ...(this.routing.get(brandId) ?? { missThreshold: DEFAULT_MISS_THRESHOLD }),
    });
  }
}
