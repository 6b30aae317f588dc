import type { BotReply } from '../../functions/core/brand-config';
import { loadBrandConfig, suggestionsOf } from '../../functions/core/brand-config';
import type { Suggestion } from '../../functions/core/business-messages-api';
import type { SendMessageCommand } from '../../functions/core/outbound-command';
import { sampleBrandDocument } from '../../functions/local/sample-brand';
import { CONVERSATION } from '../fixtures/webhook-events';
import { webhookBody } from '../support/inbound-events';
import { automationHarness } from './harness';

const brand = loadBrandConfig(sampleBrandDocument());
const replyOf = (intentId: string, locale: string): BotReply =>
  brand.intents.find((i) => i.id === intentId)!.replies[locale]!;
const withoutIds = ({
  messageId: _m,
  representative: _r,
  ...rest
}: SendMessageCommand['message']) => rest;

/**
 * A customer talking to the sample brand through the classifier's routing and the automation
 * function: every chip the bot offers is tapped, and each must bring the reply it promises.
 */
function customer(locale: { resolvedLocale: string; userDeviceLocale: string }) {
  const h = automationHarness();
  let n = 0;
  const context = { entryPoint: 'PLACESHEET', placeId: 'ChIJN1t_tDeuEmsRUsoyG83frY4', ...locale };
  const createTime = () => new Date(Date.UTC(2026, 10, 25, 10, 15, ++n)).toISOString();
  const newMessages = async (send: () => Promise<unknown>) => {
    const before = h.outbound().length;
    await send();
    return h
      .outbound()
      .slice(before)
      .filter((c): c is SendMessageCommand => c.type === 'message')
      .map((c) => c.message);
  };
  return {
    h,
    says: (text: string) =>
      newMessages(() =>
        h.customerSends(
          webhookBody('text', {
            requestId: `text-${++n}`,
            patch: {
              message: { messageId: `u-${n}`, text, createTime: createTime() },
              context: { ...context, userInfo: { userDeviceLocale: locale.userDeviceLocale } },
            },
          }),
        ),
      ),
    taps: (chip: Suggestion, inReplyTo: string) => {
      const tapped = chip.reply ?? chip.action;
      return newMessages(() =>
        h.customerSends(
          webhookBody('suggestion', {
            requestId: `tap-${++n}`,
            patch: {
              suggestionResponse: {
                message: `conversations/${CONVERSATION}/messages/${inReplyTo}`,
                postbackData: tapped?.postbackData ?? '',
                text: tapped?.text,
                suggestionType: chip.reply ? 'REPLY' : 'ACTION',
                createTime: createTime(),
              },
              context,
            },
          }),
        ),
      );
    },
    requestsLiveAgent: () =>
      h.customerSends(
        webhookBody('liveAgentRequest', {
          requestId: `live-${++n}`,
          patch: { userStatus: { requestedLiveAgent: true, createTime: createTime() }, context },
        }),
      ),
  };
}

describe.each([
  {
    who: 'an English customer',
    locale: { resolvedLocale: 'en', userDeviceLocale: 'en-GB' },
    answered: 'en',
    first: 'Hello, are you open on Sunday?',
    greeting: /^Hi, welcome to Vélo Café Canal Saint-Martin!/,
    thanks: 'Thanks a lot',
  },
  {
    who: 'a French (Canadian) customer',
    locale: { resolvedLocale: 'fr-CA', userDeviceLocale: 'fr-CA' },
    answered: 'fr',
    first: 'Bonjour, vous êtes ouverts dimanche ?',
    greeting: /^Bonjour et bienvenue au Vélo Café Canal Saint-Martin !/,
    thanks: 'Merci beaucoup !',
  },
])('the sample brand with $who', ({ locale, answered, first, greeting, thanks }) => {
  it('greets, answers, and every chip it offers leads to the reply it promises', async () => {
    const c = customer(locale);
    const [hello, hours] = await c.says(first);
    expect(hello?.text).toMatch(greeting);
    expect(withoutIds(hours!)).toEqual(replyOf('hours', answered));

    // Tap every reply chip reachable from what the bot said, breadth first.
    const queue = [hello!, hours!].flatMap((m) =>
      suggestionsOf(m).map(({ suggestion }) => ({ chip: suggestion, on: m.messageId })),
    );
    const reached = new Set<string>(['hours']);
    const seenPostbacks = new Set<string>();
    let liveAgentChips = 0;
    while (queue.length > 0) {
      const { chip, on } = queue.shift()!;
      if (chip.liveAgentRequest) {
        liveAgentChips++;
        continue;
      }
      const postback = chip.reply?.postbackData ?? chip.action?.postbackData ?? '';
      if (seenPostbacks.has(postback)) continue;
      seenPostbacks.add(postback);
      const answers = await c.taps(chip, on);
      if (chip.action) {
        // Open URL and dial chips act on the device; the bot has nothing to add.
        expect(answers).toEqual([]);
        continue;
      }
      const intentId = postback.replace(/^intent:/, '');
      expect(answers.map(withoutIds)).toEqual([replyOf(intentId, answered)]);
      reached.add(intentId);
      for (const m of answers) {
        for (const { suggestion } of suggestionsOf(m))
          queue.push({ chip: suggestion, on: m.messageId });
      }
    }
    expect([...reached].sort()).toEqual(['hours', 'location', 'prices', 'repair-booking']);
    expect(liveAgentChips).toBeGreaterThan(0);

    const [welcome] = await c.says(thanks);
    expect(withoutIds(welcome!)).toEqual(replyOf('thanks', answered));
    // No miss was counted along the way.
    expect((await c.h.store.getConversation(CONVERSATION))?.botMisses).toBe(0);
  });

  it('offers a person when it does not understand, and the chip hands over', async () => {
    const c = customer(locale);
    await c.says(first);
    const [fallback] = await c.says('qwerty uiop');
    expect(withoutIds(fallback!)).toEqual(brand.fallback[answered]);
    expect(fallback?.suggestions).toContainEqual({ liveAgentRequest: {} });
    expect(await c.requestsLiveAgent()).toBe('live-agent');
    expect((await c.h.store.getConversation(CONVERSATION))?.state).toBe('queued');
  });
});
