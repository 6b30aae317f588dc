import * as z from 'zod';
import type { Message, Suggestion } from './business-messages-api';
import { BM_LIMITS, MessageWithFallback } from './business-messages-api';
import { WeeklySchedule } from './business-hours';
import { AgentName } from './inbound-event';
import { keywordProblem, patternProblem } from './text-matching';

/**
 * A brand's bot, as data: stored per brand in Firestore `brands/{brandId}` (seeded from a file
 * for the local stack) and validated whole when loaded (`BrandConfig`); liveAgent validates only
 * the part its queue notice reads (`QueueSettings`). Every reply is checked against the
 * Business Messages limits with the API's own schemas, stricter in one respect (rich content
 * must carry a fallback text), so a broken reply is refused at load, naming its field path,
 * instead of failing at send time in front of a customer.
 */

export const BRAND_CONFIG_SCHEMA_VERSION = 1;

/** Google's entry points (Context.entryPoint), for per-entry-point greetings. */
export const ENTRY_POINTS = [
  'PLACESHEET',
  'MAPS',
  'FEATURED_SNIPPETS',
  'SITELINKS',
  'WEB_WIDGET',
  'URL',
  'LOCAL_PACK',
  'PREVIEW',
  'ENTRY_POINT_UNSPECIFIED',
] as const;
export type EntryPointName = (typeof ENTRY_POINTS)[number];

/** The placeholders a reply may use; filled in per conversation. */
export const PLACEHOLDERS = ['brandName', 'placeName'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** Suggestion postback that makes the bot answer with intent `id`: `intent:<id>`. */
export const INTENT_POSTBACK_PREFIX = 'intent:';
export const intentPostback = (intentId: string): string => `${INTENT_POSTBACK_PREFIX}${intentId}`;
export const intentOfPostback = (postbackData: string): string | undefined =>
  postbackData.startsWith(INTENT_POSTBACK_PREFIX)
    ? postbackData.slice(INTENT_POSTBACK_PREFIX.length)
    : undefined;

/** What a brand writes of a message: the API body without the ID and representative. */
export type BotReply = Omit<Message, 'name' | 'messageId' | 'representative'>;

/** Set by the bot on every send; a brand may not set them. */
const BOT_OWNED_FIELDS = ['name', 'messageId', 'representative'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a reply as the message the bot would send, with the API schema plus the fallback rule. */
function replyIssues(reply: Record<string, unknown>): z.core.$ZodIssue[] {
  const checked = MessageWithFallback.safeParse({
    ...reply,
    messageId: 'brand-config-check',
    representative: { representativeType: 'BOT' },
  });
  return checked.success ? [] : checked.error.issues;
}

export const BotReply = z
  .custom<BotReply>(isRecord, {
    error: 'a reply must be an object: a Business Messages message without messageId',
  })
  .superRefine((value, ctx) => {
    const reply: unknown = value;
    if (!isRecord(reply)) return;
    for (const field of BOT_OWNED_FIELDS) {
      if (reply[field] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} is set by the bot` });
      }
    }
    for (const issue of replyIssues(reply)) {
      ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
    }
    for (const { path, suggestion } of cardSuggestionsOf(reply)) {
      // Google's samples: "Live agent request is not supported in Rich cards".
      if (isRecord(suggestion) && suggestion.liveAgentRequest !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'liveAgentRequest'],
          message: 'not supported inside a rich card; offer it in the message suggestions',
        });
      }
    }
    for (const { path, value } of renderedFieldsOf(reply)) {
      for (const [, name] of value.matchAll(PLACEHOLDER)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(name ?? '')) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `unknown placeholder {${name}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`,
          });
        }
      }
    }
  });

/** A value per locale, e.g. `{ "en": …, "fr": … }`; every brand locale must be present. */
const Localized = <T extends z.ZodType>(item: T) =>
  z.record(z.string(), item, { error: 'expected an object keyed by locale (en, fr, …)' });
export type Localized<T> = Record<string, T>;

export const LocaleTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 language tag such as en or fr-CA');

const Keyword = z
  .string()
  .min(1)
  .max(100)
  .superRefine((k, ctx) => {
    const problem = keywordProblem(k);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const Pattern = z
  .string()
  .min(1)
  .max(200)
  .superRefine((p, ctx) => {
    const problem = patternProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const IntentMatchRules = z.strictObject({
  /** Words or phrases, accent- and case-insensitive, on word boundaries; `répar*` = prefix. */
  keywords: z.array(Keyword).optional(),
  /** Regular expressions (flags `iu`) tried on the customer's words, normalized like keywords
   *  and joined by single spaces (punctuation removed): `\bwhen\b.*\bopen`. */
  patterns: z.array(Pattern).optional(),
});
export type IntentMatchRules = z.infer<typeof IntentMatchRules>;

export const IntentId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected lower-case letters, digits, _ and - (≤ 63)');

export const Intent = z.strictObject({
  id: IntentId,
  /** Per locale; a locale without rules is reached only by chips (`intent:<id>` postbacks). */
  match: z.record(z.string(), IntentMatchRules).optional(),
  replies: Localized(BotReply),
  /** Small talk ("hello"): on a conversation's first message the greeting alone answers it. */
  answeredByGreeting: z.boolean().optional(),
});
export type Intent = z.infer<typeof Intent>;

const EntryPointKey = z.enum(ENTRY_POINTS, {
  error: `expected an entry point (${ENTRY_POINTS.join(', ')})`,
});

export const Greeting = z.strictObject({
  default: Localized(BotReply),
  byEntryPoint: z.partialRecord(EntryPointKey, Localized(BotReply)).optional(),
});

export const Place = z.strictObject({
  /** `{placeName}` for conversations started from this place. */
  name: Localized(z.string().min(1).max(100)),
});

export const AUTH_FAILURE_CATEGORIES = ['declined', 'unavailable', 'configuration'] as const;
export type AuthFailureCategory = (typeof AUTH_FAILURE_CATEGORIES)[number] | 'unknown';

/** The bot's replies to an OAuth result (`authentication` in the brand document). */
export const AuthenticationReplies = z.strictObject({
  succeeded: Localized(BotReply),
  failed: z.strictObject({
    /** For failures without a reply of their own (and ERROR_UNSPECIFIED). */
    default: Localized(BotReply),
    /** ACCESS_DENIED: the customer or the server declined. */
    declined: Localized(BotReply).optional(),
    /** SERVER_ERROR, TEMPORARILY_UNAVAILABLE. */
    unavailable: Localized(BotReply).optional(),
    /** INVALID_REQUEST, UNAUTHORIZED_CLIENT, UNSUPPORTED_RESPONSE_TYPE, INVALID_SCOPE. */
    configuration: Localized(BotReply).optional(),
  }),
});

export const BotHours = WeeklySchedule.extend({ offlineMessage: Localized(BotReply) });
export type BotHours = z.infer<typeof BotHours>;

export const HumanHours = WeeklySchedule.extend({
  offlineMessage: Localized(BotReply),
  /** Outside human hours, hand the conversation back to the bot instead of queueing it. */
  returnToBotWhenOffline: z.boolean({ error: 'returnToBotWhenOffline must be a boolean' }),
});
export type HumanHours = z.infer<typeof HumanHours>;

/**
 * A live agent's prepared answer: typed as `/shortcut` in the console's composer, inserted at the
 * cursor in the conversation's language. Text only: the agent may still edit it before sending.
 */
export const CannedResponse = z.strictObject({
  /** What the agent types after `/`: lower case letters, digits and dashes. */
  shortcut: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,31}$/,
      'expected 1-32 of a-z, 0-9 and -, starting with a letter or digit',
    ),
  /** What the agent reads in the list of canned responses. */
  title: z.string().trim().min(1).max(80),
  /** The text per locale; every locale of the brand. */
  text: Localized(z.string().trim().min(1).max(BM_LIMITS.textChars)),
});
export type CannedResponse = z.infer<typeof CannedResponse>;

const BrandId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected the brand ID of brands/BRAND_ID ([A-Za-z0-9_-])');

/**
 * The fields `BrandConfig` and `QueueSettings` share, defined once so that both apply the same
 * rules to them.
 */
const brandFields = {
  schemaVersion: z.literal(BRAND_CONFIG_SCHEMA_VERSION, {
    error: `schemaVersion must be ${BRAND_CONFIG_SCHEMA_VERSION}`,
  }),
  brandId: BrandId,
  /** The brand's name: `{brandName}`, and the bot's name unless `bot.displayName` is set. */
  displayName: z.string().min(1).max(100),
  locales: z.array(LocaleTag).min(1, 'name at least one locale'),
  defaultLocale: LocaleTag,
  places: z.record(z.string().min(1), Place).optional(),
  /**
   * Set by operations once the brand has its own automation and sender deployments
   * (infra/brand.sh): publishers then mark the brand's messages `dedicated: "true"`.
   */
  dedicated: z.boolean().optional(),
};

/** The bot representative's name and avatar (`bot.displayName`, `bot.avatarImage`). */
const representativeFields = {
  displayName: z.string().min(1).max(100).optional(),
  /** Public HTTPS URL; Google: 1024x1024 px, ≤ 50 KB, immutable once used. */
  avatarImage: z.url({ protocol: /^https$/, error: 'expected an https URL' }).optional(),
};

export const BrandConfig = z
  .strictObject({
    schemaVersion: brandFields.schemaVersion,
    brandId: brandFields.brandId,
    displayName: brandFields.displayName,
    /** Agent resource names (`brands/BRAND_ID/agents/AGENT_ID`) this configuration answers for. */
    agents: z.array(AgentName).min(1, 'name at least one agent'),
    bot: z
      .strictObject({
        ...representativeFields,
        /**
         * TYPING_STARTED before and TYPING_STOPPED after each answer. Off by default: the
         * answer follows at once, so they show nothing and cost two API calls per answer.
         */
        typingIndicators: z.boolean().default(false),
      })
      .prefault({}),
    locales: brandFields.locales,
    defaultLocale: brandFields.defaultLocale,
    places: brandFields.places,
    greeting: Greeting,
    intents: z.array(Intent),
    /** The answer to what no intent matches; must offer the liveAgentRequest chip. */
    fallback: Localized(BotReply),
    /** The acknowledgement of a customer's image. */
    imageReceived: Localized(BotReply),
    authentication: AuthenticationReplies,
    hours: z.strictObject({ bot: BotHours, human: HumanHours }),
    /** Live agents' prepared answers (the agent console's `/shortcut`s). */
    cannedResponses: z.array(CannedResponse).max(200).optional(),
    dedicated: brandFields.dedicated,
    /** Read by the classifier too (`routing.missThreshold`); other routing fields pass through. */
    routing: z.looseObject({
      /** Consecutive bot misses after which the classifier hands the conversation to a human. */
      missThreshold: z.int().min(1).max(100),
    }),
  })
  // Cross-references, once every field is well-formed on its own.
  .superRefine(checkReferences, { when: (payload) => payload.issues.length === 0 });
export type BrandConfig = z.infer<typeof BrandConfig>;
/** The stored form (defaults not yet applied). */
export type BrandConfigInput = z.input<typeof BrandConfig>;

/**
 * What the liveAgent function reads of a brand document for its queue notice: the BOT
 * representative, the locales, places (`{placeName}`), human hours with their offline message,
 * and the `dedicated` flag. Validated with the same rules as in `BrandConfig`, and the
 * cross-references among these fields, while every other field passes through unchecked: a
 * brand whose bot replies are broken still gets its customers queued and told so (automation
 * quarantines its own events), and the cold start does not pay for validating a whole bot.
 * A valid `BrandConfig` is a valid `QueueSettings`.
 */
export const QueueSettings = z
  .looseObject({
    schemaVersion: brandFields.schemaVersion,
    brandId: brandFields.brandId,
    displayName: brandFields.displayName,
    // Loose: `typingIndicators` and the like are the bot's, not the queue notice's.
    bot: z.looseObject(representativeFields).prefault({}),
    locales: brandFields.locales,
    defaultLocale: brandFields.defaultLocale,
    places: brandFields.places,
    hours: z.looseObject({ human: HumanHours }),
    dedicated: brandFields.dedicated,
  })
  .superRefine(checkQueueReferences, { when: (payload) => payload.issues.length === 0 });
export type QueueSettings = z.infer<typeof QueueSettings>;

// ---------------------------------------------------------------------------------------------

type Path = (string | number)[];

const toPath = (keys: readonly PropertyKey[]): Path =>
  keys.map((k) => (typeof k === 'symbol' ? String(k) : k));

/** Every localized reply of the brand, with its path. */
export function localizedRepliesOf(
  c: BrandConfig,
): { path: Path; replies: Localized<BotReply>; requireLiveAgent?: boolean }[] {
  const failed = c.authentication.failed;
  return [
    { path: ['greeting', 'default'], replies: c.greeting.default },
    ...Object.entries(c.greeting.byEntryPoint ?? {}).map(([ep, replies]) => ({
      path: ['greeting', 'byEntryPoint', ep],
      replies,
    })),
    ...c.intents.map((intent, i) => ({ path: ['intents', i, 'replies'], replies: intent.replies })),
    { path: ['fallback'], replies: c.fallback, requireLiveAgent: true },
    { path: ['imageReceived'], replies: c.imageReceived },
    { path: ['authentication', 'succeeded'], replies: c.authentication.succeeded },
    ...(['default', ...AUTH_FAILURE_CATEGORIES] as const).flatMap((k) => {
      const replies = failed[k];
      return replies ? [{ path: ['authentication', 'failed', k], replies }] : [];
    }),
    { path: ['hours', 'bot', 'offlineMessage'], replies: c.hours.bot.offlineMessage },
    { path: ['hours', 'human', 'offlineMessage'], replies: c.hours.human.offlineMessage },
  ];
}

function cardSuggestionsOf(reply: BotReply): { path: Path; suggestion: Suggestion }[] {
  const rich = reply.richCard;
  const cards: { path: Path; suggestions: Suggestion[] | undefined }[] = [];
  if (isRecord(rich?.standaloneCard?.cardContent)) {
    cards.push({
      path: ['richCard', 'standaloneCard', 'cardContent', 'suggestions'],
      suggestions: rich.standaloneCard.cardContent.suggestions,
    });
  }
  if (Array.isArray(rich?.carouselCard?.cardContents)) {
    rich.carouselCard.cardContents.forEach((card, i) => {
      if (isRecord(card)) {
        cards.push({
          path: ['richCard', 'carouselCard', 'cardContents', i, 'suggestions'],
          suggestions: card.suggestions,
        });
      }
    });
  }
  return cards.flatMap(({ path, suggestions }) =>
    Array.isArray(suggestions)
      ? suggestions.map((suggestion, i) => ({ path: [...path, i], suggestion }))
      : [],
  );
}

/** Every suggestion of a reply (message chips and card chips), with its path in the reply. */
export function suggestionsOf(reply: BotReply): { path: Path; suggestion: Suggestion }[] {
  const own = Array.isArray(reply.suggestions)
    ? reply.suggestions.map((suggestion, i) => ({ path: ['suggestions', i], suggestion }))
    : [];
  return [...own, ...cardSuggestionsOf(reply)];
}

/** The texts the customer reads, where placeholders are filled in. */
function renderedFieldsOf(reply: BotReply): { path: Path; value: string }[] {
  const out: { path: Path; value: string }[] = [];
  const add = (path: Path, value: unknown) => {
    if (typeof value === 'string') out.push({ path, value });
  };
  add(['text'], reply.text);
  add(['fallback'], reply.fallback);
  const card = (path: Path, c: unknown) => {
    if (!isRecord(c)) return;
    add([...path, 'title'], c.title);
    add([...path, 'description'], c.description);
  };
  card(['richCard', 'standaloneCard', 'cardContent'], reply.richCard?.standaloneCard?.cardContent);
  const contents = reply.richCard?.carouselCard?.cardContents;
  if (Array.isArray(contents)) {
    contents.forEach((c, i) => card(['richCard', 'carouselCard', 'cardContents', i], c));
  }
  return out;
}

export type PlaceholderValues = Record<Placeholder, string>;

/** The reply with `{brandName}`, `{placeName}` filled in; everything else untouched. */
export function fillPlaceholders(reply: BotReply, values: PlaceholderValues): BotReply {
  const fill = (s: string) =>
    s.replace(PLACEHOLDER, (whole, name: string) =>
      name in values ? values[name as Placeholder] : whole,
    );
  const fillCard = <C extends { title?: string | undefined; description?: string | undefined }>(
    c: C,
  ): C => ({
    ...c,
    ...(c.title !== undefined ? { title: fill(c.title) } : {}),
    ...(c.description !== undefined ? { description: fill(c.description) } : {}),
  });
  const rich = reply.richCard;
  return {
    ...reply,
    ...(reply.text !== undefined ? { text: fill(reply.text) } : {}),
    ...(reply.fallback !== undefined ? { fallback: fill(reply.fallback) } : {}),
    ...(rich
      ? {
          richCard: {
            ...rich,
            ...(rich.standaloneCard
              ? { standaloneCard: { cardContent: fillCard(rich.standaloneCard.cardContent) } }
              : {}),
            ...(rich.carouselCard
              ? {
                  carouselCard: {
                    ...rich.carouselCard,
                    cardContents: rich.carouselCard.cardContents.map(fillCard),
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}

const hasPlaceholder = (reply: BotReply): boolean =>
  renderedFieldsOf(reply).some(({ value }) => new RegExp(PLACEHOLDER.source).test(value));

type Issue = (path: Path, message: string) => void;

/** What the shared checks read: fields of `QueueSettings`, which `BrandConfig` has too. */
type ReferenceFields = Pick<QueueSettings, 'locales' | 'defaultLocale' | 'displayName' | 'places'>;

/**
 * The cross-reference checks on the fields `BrandConfig` and `QueueSettings` share, reporting
 * through `issue`: both schemas run these, so the queue settings liveAgent reads are held to
 * the same rules as the whole configuration.
 */
function referenceChecks(c: ReferenceFields, issue: Issue) {
  const locales = new Set(c.locales);

  /** `value`'s keys are brand locales; `complete`: every brand locale is there. */
  const checkLocales = (path: Path, value: Record<string, unknown>, complete: boolean) => {
    for (const key of Object.keys(value)) {
      if (!locales.has(key)) {
        issue([...path, key], `not one of locales (${c.locales.join(', ')})`);
      }
    }
    if (!complete) return;
    for (const locale of c.locales) {
      if (value[locale] === undefined) issue([...path, locale], `missing the ${locale} version`);
    }
  };

  return {
    checkLocales,

    /** Locales do not repeat, and the default is one of them. */
    localeList(): void {
      if (locales.size !== c.locales.length) issue(['locales'], 'locales must not repeat');
      if (!locales.has(c.defaultLocale)) {
        issue(
          ['defaultLocale'],
          `${c.defaultLocale} is not one of locales (${c.locales.join(', ')})`,
        );
      }
    },

    /** Every place is named in every brand locale (`{placeName}`). */
    places(): void {
      for (const [placeId, place] of Object.entries(c.places ?? {})) {
        checkLocales(['places', placeId, 'name'], place.name, true);
      }
    },

    /**
     * One reply per brand locale, each within the limits once its placeholders are filled in;
     * chips to intents name one of `intentIds` (unchecked without them: the queue settings do
     * not read the intents); a fallback offers the liveAgentRequest chip.
     */
    replies(
      path: Path,
      replies: Localized<BotReply>,
      options: { intentIds?: ReadonlySet<string>; requireLiveAgent?: boolean } = {},
    ): void {
      const { intentIds, requireLiveAgent } = options;
      checkLocales(path, replies, true);
      for (const [locale, reply] of Object.entries(replies)) {
        const at: Path = [...path, locale];
        if (intentIds) {
          for (const { path: p, suggestion } of suggestionsOf(reply)) {
            const postback = suggestion.reply?.postbackData ?? suggestion.action?.postbackData;
            const target = postback === undefined ? undefined : intentOfPostback(postback);
            if (target !== undefined && !intentIds.has(target)) {
              const kind = suggestion.reply ? 'reply' : 'action';
              issue([...at, ...p, kind, 'postbackData'], `no intent ${JSON.stringify(target)}`);
            }
          }
        }
        if (requireLiveAgent && !reply.suggestions?.some((s) => s.liveAgentRequest !== undefined)) {
          issue([...at, 'suggestions'], 'the fallback must offer a liveAgentRequest chip');
        }
        if (hasPlaceholder(reply)) {
          // Checked again with the longest values it can get, so filling in cannot break a limit.
          const filled = fillPlaceholders(reply, longestPlaceholderValues(c, locale));
          for (const i of replyIssues(filled)) {
            issue([...at, ...toPath(i.path)], `${i.message} once placeholders are filled in`);
          }
        }
      }
    },
  };
}

const issuesTo =
  (ctx: { addIssue(issue: { code: 'custom'; path: Path; message: string }): void }): Issue =>
  (path, message) =>
    ctx.addIssue({ code: 'custom', path, message });

function checkReferences(c: BrandConfig, ctx: z.RefinementCtx<BrandConfig>): void {
  const issue = issuesTo(ctx);
  const check = referenceChecks(c, issue);

  check.localeList();
  c.agents.forEach((agent, i) => {
    if (!agent.startsWith(`brands/${c.brandId}/agents/`)) {
      issue(['agents', i], `${agent} is not an agent of brand ${c.brandId}`);
    }
  });

  const intentIds = new Set<string>();
  c.intents.forEach((intent, i) => {
    if (intentIds.has(intent.id)) issue(['intents', i, 'id'], `intent ${intent.id} repeats`);
    intentIds.add(intent.id);
    if (intent.match) check.checkLocales(['intents', i, 'match'], intent.match, false);
  });
  check.places();
  const shortcuts = new Set<string>();
  (c.cannedResponses ?? []).forEach((canned, i) => {
    if (shortcuts.has(canned.shortcut)) {
      issue(['cannedResponses', i, 'shortcut'], `shortcut /${canned.shortcut} repeats`);
    }
    shortcuts.add(canned.shortcut);
    check.checkLocales(['cannedResponses', i, 'text'], canned.text, true);
  });

  for (const { path, replies, requireLiveAgent } of localizedRepliesOf(c)) {
    check.replies(path, replies, { intentIds, requireLiveAgent });
  }
}

/** `checkReferences` for what `QueueSettings` reads: locales, places, the human offline message. */
function checkQueueReferences(c: QueueSettings, ctx: z.RefinementCtx<QueueSettings>): void {
  const check = referenceChecks(c, issuesTo(ctx));
  check.localeList();
  check.places();
  check.replies(['hours', 'human', 'offlineMessage'], c.hours.human.offlineMessage);
}

function longestPlaceholderValues(c: ReferenceFields, locale: string): PlaceholderValues {
  const names = Object.values(c.places ?? {}).map((p) => p.name[locale] ?? '');
  const placeName = [c.displayName, ...names].reduce((a, b) => (b.length > a.length ? b : a));
  return { brandName: c.displayName, placeName };
}

// ---------------------------------------------------------------------------------------------

/** A brand configuration that failed validation: one line per problem, each naming its field. */
export class BrandConfigError extends Error {
  readonly retryable = false;
  constructor(
    readonly brandId: string | undefined,
    readonly problems: string[],
  ) {
    super(
      `invalid brand configuration${brandId ? ` for ${brandId}` : ''}:\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'BrandConfigError';
  }
}

export type BrandConfigParseResult =
  { ok: true; config: BrandConfig } | { ok: false; problems: string[] };

/** Validates a stored brand document; problems read `intents[3].replies.fr.text: …`. */
export function parseBrandConfig(input: unknown): BrandConfigParseResult {
  const parsed = BrandConfig.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: parsed.error.issues.flatMap(describeIssue) };
}

/** Like `parseBrandConfig`, but throws `BrandConfigError`. */
export function loadBrandConfig(input: unknown): BrandConfig {
  const parsed = parseBrandConfig(input);
  if (parsed.ok) return parsed.config;
  throw new BrandConfigError(brandIdOf(input), parsed.problems);
}

/**
 * The queue settings of a stored brand document (`QueueSettings`), the rest of it unchecked;
 * throws `BrandConfigError` naming every problem of those fields, as `loadBrandConfig` does.
 */
export function loadQueueSettings(input: unknown): QueueSettings {
  const parsed = QueueSettings.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new BrandConfigError(brandIdOf(input), parsed.error.issues.flatMap(describeIssue));
}

const brandIdOf = (input: unknown): string | undefined =>
  isRecord(input) && typeof input.brandId === 'string' ? input.brandId : undefined;

/** `['intents', 3, 'replies', 'fr']` → `intents[3].replies.fr`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(key))) out += `${out ? '.' : ''}${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown field`);
  }
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0]?.message ?? issue.message;
    return [`${formatPath(issue.path)}: ${inner}`];
  }
  const path = formatPath(issue.path);
  const last = issue.path[issue.path.length - 1];
  // The API schemas name their field ("text must be …"); the path already does.
  const message =
    typeof last === 'string' && issue.message.startsWith(`${last} `)
      ? issue.message.slice(last.length + 1)
      : issue.message;
  return [`${path}: ${message}`];
}
