import type { BrandConfig } from '../core/brand-config';
import type { IntentMatch } from '../core/keyword-matcher';
import { matchIntent } from '../core/keyword-matcher';

export type { IntentMatch };

/**
 * Which of a brand's intents a customer's words ask for. The default is the brand's keywords
 * and patterns (pure, in core); a Dialogflow CX agent can replace it behind this port, as long
 * as it answers with intent IDs of the brand configuration.
 */
export interface IntentMatcher {
  /** The best intent for `text` in `locale` (a brand locale), or undefined for a miss. */
  match(text: string, locale: string, brand: BrandConfig): Promise<IntentMatch | undefined>;
}

/** The default matcher: keywords and regex patterns from the brand configuration. */
export const keywordIntentMatcher: IntentMatcher = {
  match: (text, locale, brand) => Promise.resolve(matchIntent(text, locale, brand)),
};
