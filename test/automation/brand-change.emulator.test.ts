import { Firestore } from '@google-cloud/firestore';
import { FirestoreBrandDirectory } from '../../functions/adapters/firestore-brand-directory';
import { AutomationConfig, brandCacheTtlMs } from '../../functions/automation/config';
import type { SendMessageCommand } from '../../functions/core/outbound-command';
import { SAMPLE_BRAND_ID, sampleBrandDocument } from '../../functions/local/sample-brand';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { webhookBody } from '../support/inbound-events';
import { automationHarness } from './harness';

// The bound within which a brand change reaches the bot: the automation function reads a brand
// once per instance per BRAND_CACHE_SECONDS (default 60), so an edit is answered with from at
// most that long after it is written, and never a read per message.

const says = (text: string, requestId: string) =>
  webhookBody('text', { requestId, patch: { message: { text } } });

type Document = { intents: { id: string; replies: Record<string, { text?: string }> }[] };

describe('BRAND_CACHE_SECONDS', () => {
  it('is 60 s unless set, and is the brand directory’s TTL', () => {
    expect(brandCacheTtlMs(AutomationConfig.parse({}))).toBe(60_000);
    expect(brandCacheTtlMs(AutomationConfig.parse({ BRAND_CACHE_SECONDS: '5' }))).toBe(5_000);
  });
});

describeWithEmulators('a brand change reaches the bot within BRAND_CACHE_SECONDS', () => {
  let db: Firestore;
  beforeEach(() => {
    db = new Firestore({ projectId: uniqueProjectId('brand-change') });
  });
  afterEach(async () => {
    await db.terminate();
  });

  it('answers from the old configuration until the TTL after its read, then from the new', async () => {
    const ttlMs = brandCacheTtlMs(AutomationConfig.parse({}));
    const document = sampleBrandDocument() as Document;
    await new FirestoreBrandDirectory(db).put(document);

    // The instance's clock for its cache; the bot's own clock is the harness's.
    let clock = 0;
    const h = automationHarness({
      brands: new FirestoreBrandDirectory(db, { cacheTtlMs: ttlMs, now: () => clock }),
    });
    const hoursReply = () => {
      const messages = h.outbound().filter((c): c is SendMessageCommand => c.type === 'message');
      return messages.at(-1)?.message.text;
    };

    await h.customerSends(says('What are your opening hours?', 'r-1'));
    const before = hoursReply();
    expect(before).toMatch(/Tuesday to Friday/);

    // The worst case: the brand is edited (by another process, as `bm-ops brands push` does)
    // just after this instance read it.
    const edited = structuredClone(document);
    edited.intents.find((i) => i.id === 'hours')!.replies.en!.text = 'Open every day, 7:00–22:00.';
    await db.collection('brands').doc(SAMPLE_BRAND_ID).set(edited);

    // Up to the TTL after the read, the instance answers from what it read: no read per message.
    clock = ttlMs - 1;
    await h.customerSends(says('And your opening hours on Sunday?', 'r-2'));
    expect(hoursReply()).toBe(before);

    // From the TTL after the write on, from the new document.
    clock = ttlMs;
    await h.customerSends(says('Opening hours again, please?', 'r-3'));
    expect(hoursReply()).toBe('Open every day, 7:00–22:00.');
  });
});
