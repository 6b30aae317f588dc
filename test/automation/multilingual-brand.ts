import type { BrandConfigInput, IntentMatchRules } from '../../functions/core/brand-config';
import { sampleBrandDocument } from '../../functions/local/sample-brand';

/** Keywords per intent in the languages written without spaces between words. */
const KEYWORDS: Record<string, Record<'th' | 'ja' | 'zh', string[]>> = {
  hours: {
    th: ['เปิด', 'ปิด', 'กี่โมง', 'เวลาทำการ'],
    ja: ['営業時間', '何時', '開き', '閉まり'],
    zh: ['开门', '关门', '营业时间', '營業時間', '几点'],
  },
  location: {
    th: ['ที่อยู่', 'ที่ไหน'],
    ja: ['場所', 'どこ', '住所'],
    zh: ['地址', '在哪里'],
  },
  prices: {
    th: ['ราคา', 'เท่าไหร่'],
    ja: ['値段', 'いくら', '料金', 'コーヒー'],
    zh: ['价格', '多少钱'],
  },
  'repair-booking': {
    th: ['ซ่อม'],
    ja: ['修理', '予約'],
    zh: ['修理', '预约'],
  },
  thanks: { th: ['ขอบคุณ'], ja: ['ありがとう'], zh: ['谢谢'] },
  hello: { th: ['สวัสดี'], ja: ['こんにちは'], zh: ['你好'] },
};

const ADDED = ['th', 'ja', 'zh'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every `{en, fr}` value of the document gains th, ja and zh versions: copies of the English. */
function addLocales(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(addLocales);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = addLocales(item);
  const keys = Object.keys(value).sort().join();
  if (keys === 'en,fr') for (const locale of ADDED) out[locale] = structuredClone(value.en);
  return out;
}

/**
 * The sample brand (Vélo Café) answering in Thai, Japanese and Chinese too: the replies are the
 * English ones, the keywords are the languages' own. Languages written without spaces are where
 * splitting on spaces and stripping every combining mark failed.
 */
export function multilingualBrandDocument(): BrandConfigInput {
  const document = addLocales(sampleBrandDocument()) as BrandConfigInput;
  document.locales = ['en', 'fr', ...ADDED];
  for (const intent of document.intents) {
    const own = KEYWORDS[intent.id];
    const match: Record<string, IntentMatchRules> = { ...intent.match };
    for (const locale of ADDED) {
      if (own) match[locale] = { keywords: own[locale] };
      else delete match[locale];
    }
    intent.match = match;
  }
  return document;
}
