import { InMemoryBrandDirectory } from '../../functions/adapters/in-memory-brand-directory';
import { CONVERSATION } from '../fixtures/webhook-events';
import { webhookBody } from '../support/inbound-events';
import { automationHarness } from './harness';
import { multilingualBrandDocument } from './multilingual-brand';

/**
 * Customers writing in languages without spaces between words. When such a sentence was one
 * word, no keyword ever matched, every message was a miss, and after `missThreshold` misses
 * every conversation went to a human.
 */
function customer(resolvedLocale: string) {
  const h = automationHarness({
    brands: new InMemoryBrandDirectory([multilingualBrandDocument()]),
  });
  let n = 0;
  const context = { entryPoint: 'PLACESHEET', resolvedLocale };
  return {
    h,
    says: (text: string) =>
      h.customerSends(
        webhookBody('text', { requestId: `r-${++n}`, patch: { message: { text }, context } }),
      ),
  };
}

describe.each([
  {
    locale: 'th',
    questions: ['สวัสดีครับ', 'ร้านเปิดกี่โมง', 'ร้านอยู่ที่ไหนครับ', 'ขอบคุณครับ'],
    notUnderstood: 'วันนี้อากาศดีไหม',
  },
  {
    locale: 'ja',
    questions: [
      '営業時間は何時ですか',
      'お店の場所はどこですか',
      'ｺｰﾋｰはいくらですか',
      'ありがとう',
    ],
    notUnderstood: '天気はどうですか',
  },
  {
    locale: 'zh',
    questions: ['你好', '你们几点开门', '地址在哪里', '谢谢！'],
    notUnderstood: '今天天气怎么样',
  },
])('a customer writing $locale', ({ locale, questions, notUnderstood }) => {
  it('is answered by the bot, message after message, and never handed to a human', async () => {
    const c = customer(locale);
    for (const question of questions) expect(await c.says(question)).toBe('automation');
    expect(c.h.outcomes.map((o) => 'outcome' in o && o.outcome)).toEqual(
      questions.map(() => 'matched'),
    );
    const conversation = await c.h.store.getConversation(CONVERSATION);
    expect(conversation).toMatchObject({ state: 'bot', botMisses: 0, locale });
  });

  it('still goes to a human after missThreshold misses, and when asked in English', async () => {
    const missing = customer(locale);
    // The first message is answered by the greeting; the next two are misses.
    for (let i = 0; i < 3; i++) expect(await missing.says(notUnderstood)).toBe('automation');
    expect(await missing.says(questions[1]!)).toBe('live-agent');

    const asking = customer(locale);
    expect(await asking.says(`${questions[1]!} agent please`)).toBe('live-agent');
  });
});
