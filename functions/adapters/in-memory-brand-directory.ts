import type { BrandConfig, QueueSettings } from '../core/brand-config';
import { BrandConfigError, loadBrandConfig, loadQueueSettings } from '../core/brand-config';
import { routingSettingsOf, type RoutingSettings } from '../core/routing';
import type { WritableBrandDirectory } from '../ports/brand-directory';

interface Stored {
  /** The document as stored, for the fields read without validation (`dedicated`). */
  document: unknown;
  /** What a read answers: the validated configuration, or why the document is refused. */
  config: BrandConfig | BrandConfigError;
  /** What `queueSettings` answers: validated apart, since a broken bot leaves them usable. */
  queueSettings: QueueSettings | BrandConfigError;
}

/** Brand configurations in memory: for tests and the one-process local mode. */
export class InMemoryBrandDirectory implements WritableBrandDirectory {
  private readonly brands = new Map<string, Stored>();

  /** `documents` are validated like stored ones; an invalid one throws `BrandConfigError`. */
  constructor(documents: readonly unknown[] = []) {
    for (const document of documents) this.store(document);
  }

  get(brandId: string): Promise<BrandConfig | undefined> {
    return answer(this.brands.get(brandId)?.config);
  }

  queueSettings(brandId: string): Promise<QueueSettings | undefined> {
    return answer(this.brands.get(brandId)?.queueSettings);
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
   * Firestore console would be: `get` and `queueSettings` then refuse it with `BrandConfigError`
   * if what they read is invalid (as the Firestore directory does), while `isDedicated` still
   * reads its flag.
   */
  putUnchecked(brandId: string, document: unknown): void {
    this.brands.set(brandId, {
      document: structuredClone(document),
      config: validated(brandId, document, loadBrandConfig),
      queueSettings: validated(brandId, document, loadQueueSettings),
    });
  }

  private store(document: unknown): BrandConfig {
    const config = loadBrandConfig(document);
    this.brands.set(config.brandId, {
      document: structuredClone(document),
      config,
      // A valid configuration has valid queue settings.
      queueSettings: loadQueueSettings(document),
    });
    return config;
  }
}

/** `document` validated by `load` as stored under `brandId`, or why it is refused. */
function validated<T extends { brandId: string }>(
  brandId: string,
  document: unknown,
  load: (document: unknown) => T,
): T | BrandConfigError {
  let value: T;
  try {
    value = load(document);
  } catch (error) {
    if (error instanceof BrandConfigError) return error;
    throw error;
  }
  return value.brandId === brandId
    ? value
    : new BrandConfigError(brandId, [
        `brandId: ${value.brandId} is stored under brands/${brandId}`,
      ]);
}

const answer = <T>(stored: T | BrandConfigError | undefined): Promise<T | undefined> =>
  stored instanceof BrandConfigError ? Promise.reject(stored) : Promise.resolve(stored);
