import type { DocumentData, Firestore } from '@google-cloud/firestore';
import type { BrandConfig, QueueSettings } from '../core/brand-config';
import { routingSettingsOf, type RoutingSettings } from '../core/routing';
import type { BrandDocuments, WritableBrandDirectory } from '../ports/brand-directory';
import { firestoreId } from './firestore-conversation-store';
import { fromFirestore } from './firestore-values';

export interface FirestoreBrandDirectoryOptions {
  /** Collection of brand documents, one per brand ID. */
  collection?: string;
  /** How long a read configuration is reused by this instance; 0 reads every time. */
  cacheTtlMs?: number;
  now?: () => number;
}

interface CacheEntry {
  until: number;
  /** The stored document as read (undefined: none), shared by every read of the brand. */
  document: Promise<DocumentData | undefined>;
  /** Its validation, made on the first `get`. */
  config?: Promise<BrandConfig | undefined>;
  /** The validation of its queue settings alone, made on the first `queueSettings`. */
  queueSettings?: Promise<QueueSettings | undefined>;
}

/**
 * Brand configurations in Firestore, `brands/{brandId}` (the ID escaped like every document ID
 * of ours): the document is the configuration as written (the sample brand's JSON file is one).
 * Reads are cached per instance for a minute by default (`cacheTtlMs`), one read serving the
 * bot's configuration, liveAgent's queue settings, the dedicated flag and the classifier's
 * routing settings, so a busy conversation costs no read per message and an edit is live
 * within the TTL. Failures, an invalid document among them, are not cached (a missing brand is
 * not a failure), so a fix is live at once.
 */
export class FirestoreBrandDirectory implements WritableBrandDirectory, BrandDocuments {
  private readonly cache = new Map<string, CacheEntry>();
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
    const entry = this.entry(brandId);
    entry.config ??= this.validated(brandId, entry, (schema) => schema.loadBrandConfig);
    return entry.config;
  }

  queueSettings(brandId: string): Promise<QueueSettings | undefined> {
    const entry = this.entry(brandId);
    entry.queueSettings ??= this.validated(brandId, entry, (schema) => schema.loadQueueSettings);
    return entry.queueSettings;
  }

  async isDedicated(brandId: string): Promise<boolean> {
    const document = await this.entry(brandId).document;
    return document?.dedicated === true;
  }

  async routingFor(brandId: string): Promise<RoutingSettings> {
    return routingSettingsOf(await this.entry(brandId).document);
  }

  async put(document: unknown): Promise<BrandConfig> {
    const { loadBrandConfig } = await brandConfigModule();
    const config = loadBrandConfig(document);
    await this.firestore
      .collection(this.collection)
      .doc(firestoreId(config.brandId))
      .set(document as DocumentData);
    this.cache.delete(config.brandId);
    return config;
  }

  async document(brandId: string): Promise<Record<string, unknown> | undefined> {
    const document = await this.read(brandId);
    return document === undefined
      ? undefined
      : (fromFirestore(document) as Record<string, unknown>);
  }

  async documents(): Promise<{ brandId: string; document: Record<string, unknown> }[]> {
    const snapshot = await this.firestore.collection(this.collection).get();
    return snapshot.docs.map((doc) => {
      const document = fromFirestore(doc.data()) as Record<string, unknown>;
      return {
        brandId: typeof document.brandId === 'string' ? document.brandId : doc.id,
        document,
      };
    });
  }

  /** The cached read of the brand's document, or a new one. */
  private entry(brandId: string): CacheEntry {
    const at = this.now();
    const hit = this.cache.get(brandId);
    if (hit && hit.until > at) return hit;
    const entry: CacheEntry = { until: at + this.ttlMs, document: this.read(brandId) };
    this.cache.set(brandId, entry);
    entry.document.catch(() => this.forget(brandId, entry));
    return entry;
  }

  private forget(brandId: string, entry: CacheEntry): void {
    if (this.cache.get(brandId) === entry) this.cache.delete(brandId);
  }

  private async read(brandId: string): Promise<DocumentData | undefined> {
    const snapshot = await this.firestore
      .collection(this.collection)
      .doc(firestoreId(brandId))
      .get();
    return snapshot.exists ? snapshot.data() : undefined;
  }

  /**
   * The entry's document validated by `loader`'s function, kept on the entry by the caller; a
   * failure forgets the entry (document included), so the next read sees a fix at once.
   */
  private validated<T extends { brandId: string }>(
    brandId: string,
    entry: CacheEntry,
    loader: (schema: BrandConfigModule) => (document: unknown) => T,
  ): Promise<T | undefined> {
    const validated = entry.document.then(async (document) => {
      if (document === undefined) return undefined;
      const schema = await brandConfigModule();
      const value = loader(schema)(document);
      if (value.brandId !== brandId) {
        throw new schema.BrandConfigError(brandId, [
          `brandId: ${value.brandId} is stored under ${this.collection}/${brandId}`,
        ]);
      }
      return value;
    });
    validated.catch(() => this.forget(brandId, entry));
    return validated;
  }
}

/**
 * The brand schema, loaded on the first validation: the classifier reads only routing settings
 * through this directory and never pays for building the schema at its cold start.
 */
const brandConfigModule = () => import('../core/brand-config');
type BrandConfigModule = Awaited<ReturnType<typeof brandConfigModule>>;
