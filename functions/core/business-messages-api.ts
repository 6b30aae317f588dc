import * as z from 'zod';

/**
 * The request bodies partners send to the Business Messages API v1, with Google's published
 * limits (Google's REST reference for conversations.messages, events, surveys and receipts).
 *
 * Objects are strict because Google's JSON front end rejects unknown field names with
 * INVALID_ARGUMENT; a typo here should fail the same way, not be silently dropped.
 *
 * Lengths are counted in UTF-16 code units (`string.length`). Google says "characters" without
 * defining them; code units are never fewer than code points, so a body accepted here is never
 * too long for Google.
 *
 * Rich text is `text` with `containsRichText: true`: the API has no separate `richText` field.
 */

export const BM_LIMITS = {
  textChars: 3072,
  fallbackChars: 3072,
  messageSuggestions: 13,
  chipTextChars: 25,
  postbackDataChars: 2048,
  cardTitleChars: 200,
  cardDescriptionChars: 2000,
  cardSuggestions: 4,
  carouselMinCards: 2,
  carouselMaxCards: 10,
} as const;

const lengthOf = (input: unknown): string =>
  typeof input === 'string' ? String(input.length) : '?';

/** A string field whose messages name the field, so a 400 tells the caller what to fix. */
function str(field: string, limits: { min?: number; max?: number } = {}) {
  const { min = 1, max } = limits;
  const base = z
    .string({
      error: (iss) =>
        iss.input === undefined ? `${field} is required` : `${field} must be a string`,
    })
    .min(min, { error: `${field} must not be empty` });
  return max === undefined
    ? base
    : base.max(max, {
        error: (iss) => `${field} must be at most ${max} characters (got ${lengthOf(iss.input)})`,
      });
}

function oneOf<const T extends readonly [string, ...string[]]>(field: string, values: T) {
  return z.enum(values, { error: `${field} must be one of ${values.join(', ')}` });
}

function url(field: string, protocols: 'https' | 'http(s)') {
  return z.url({
    protocol: protocols === 'https' ? /^https$/ : /^https?$/,
    error: (iss) =>
      iss.input === undefined ? `${field} is required` : `${field} must be a ${protocols} URL`,
  });
}

function listOf<T extends z.ZodType>(field: string, item: T, max: number) {
  return z.array(item, { error: `${field} must be a list` }).max(max, {
    error: (iss) => `${field} allows at most ${max} items (got ${countOf(iss.input)})`,
  });
}

const countOf = (input: unknown): string => (Array.isArray(input) ? String(input.length) : '?');

/** Object-level messages: zod's default ("expected object, received undefined") names no field. */
const objectError = (field: string) => ({
  error: (iss: { input?: unknown }) =>
    iss.input === undefined ? `${field} is required` : `${field} must be an object`,
});

/**
 * Google models its unions ("oneof") as sibling optional fields; zod unions would report every
 * branch's failures, so presence is checked here and each field keeps its own clear messages.
 */
function exactlyOne<T extends object>(what: string, keys: readonly (keyof T & string)[]) {
  return (value: T, ctx: z.RefinementCtx<T>): void => {
    const present = keys.filter((k) => value[k] !== undefined);
    if (present.length === 1) return;
    ctx.addIssue({
      code: 'custom',
      path: present.length > 1 ? [present[1] ?? what] : [],
      message:
        present.length === 0
          ? `${what} needs exactly one of ${keys.join(', ')}`
          : `${what} takes exactly one of ${keys.join(', ')}, found ${present.join(' and ')}`,
    });
  };
}

export const RepresentativeType = oneOf('representativeType', ['BOT', 'HUMAN']);
export type RepresentativeType = z.infer<typeof RepresentativeType>;

export const Representative = z.strictObject(
  {
    representativeType: RepresentativeType,
    displayName: str('displayName').optional(),
    avatarImage: url('avatarImage', 'https').optional(),
  },
  objectError('representative'),
);
export type Representative = z.infer<typeof Representative>;

const postbackData = str('postbackData', { min: 0, max: BM_LIMITS.postbackDataChars });
const chipText = str('text', { max: BM_LIMITS.chipTextChars });

export const SuggestedReply = z.strictObject({
  text: chipText,
  postbackData: postbackData.optional(),
});
export type SuggestedReply = z.infer<typeof SuggestedReply>;

export const OpenUrlAction = z.strictObject({ url: url('url', 'http(s)') });
export type OpenUrlAction = z.infer<typeof OpenUrlAction>;

/** RFC 3966 global number: "+", digits and the visual separators Google's example uses. */
export const DialAction = z.strictObject({
  phoneNumber: str('phoneNumber').regex(/^\+[0-9][0-9().-]*$/, {
    error: 'phoneNumber must be an RFC 3966 global number such as +1-201-555-0123',
  }),
});
export type DialAction = z.infer<typeof DialAction>;

export const SuggestedAction = z
  .strictObject({
    text: chipText,
    postbackData: postbackData.optional(),
    openUrlAction: OpenUrlAction.optional(),
    dialAction: DialAction.optional(),
  })
  .superRefine(exactlyOne('action', ['openUrlAction', 'dialAction']));
export type SuggestedAction = z.infer<typeof SuggestedAction>;

export const LiveAgentRequest = z.strictObject({});
export type LiveAgentRequest = z.infer<typeof LiveAgentRequest>;

export const AuthenticationRequest = z.strictObject({
  oauth: z.strictObject(
    {
      clientId: str('clientId'),
      codeChallenge: str('codeChallenge'),
      scopes: z.array(str('scopes[]'), { error: 'scopes must be a list' }).min(1, {
        error: 'scopes must name at least one scope',
      }),
      // RFC 7636 defines exactly these two; Google defaults to plain when omitted.
      codeChallengeMethod: oneOf('codeChallengeMethod', ['plain', 'S256']).optional(),
    },
    objectError('oauth'),
  ),
});
export type AuthenticationRequest = z.infer<typeof AuthenticationRequest>;

export const Suggestion = z
  .strictObject({
    reply: SuggestedReply.optional(),
    action: SuggestedAction.optional(),
    liveAgentRequest: LiveAgentRequest.optional(),
    authenticationRequest: AuthenticationRequest.optional(),
  })
  .superRefine(
    exactlyOne('suggestion', ['reply', 'action', 'liveAgentRequest', 'authenticationRequest']),
  );
export type Suggestion = z.infer<typeof Suggestion>;

export const ContentInfo = z.strictObject(
  {
    fileUrl: url('fileUrl', 'http(s)'),
    thumbnailUrl: url('thumbnailUrl', 'http(s)').optional(),
    forceRefresh: z.boolean({ error: 'forceRefresh must be a boolean' }).optional(),
    altText: str('altText', { min: 0 }).optional(),
  },
  objectError('contentInfo'),
);
export type ContentInfo = z.infer<typeof ContentInfo>;

export const MediaHeight = oneOf('height', ['SHORT', 'MEDIUM', 'TALL']);
export type MediaHeight = z.infer<typeof MediaHeight>;

export const Media = z.strictObject(
  { height: MediaHeight, contentInfo: ContentInfo },
  objectError('media'),
);
export type Media = z.infer<typeof Media>;

export const CardContent = z
  .strictObject(
    {
      title: str('title', { max: BM_LIMITS.cardTitleChars }).optional(),
      description: str('description', { max: BM_LIMITS.cardDescriptionChars }).optional(),
      media: Media.optional(),
      suggestions: listOf('suggestions', Suggestion, BM_LIMITS.cardSuggestions).optional(),
    },
    objectError('cardContent'),
  )
  .superRefine((card, ctx) => {
    // Every field is optional in Google's schema; an empty card still renders as nothing.
    if (card.title === undefined && card.description === undefined && card.media === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'card needs a title, description or media',
      });
    }
  });
export type CardContent = z.infer<typeof CardContent>;

export const StandaloneCard = z.strictObject({
  cardContent: CardContent,
});
export type StandaloneCard = z.infer<typeof StandaloneCard>;

export const CardWidth = oneOf('cardWidth', ['SMALL', 'MEDIUM']);
export type CardWidth = z.infer<typeof CardWidth>;

export const CarouselCard = z
  .strictObject({
    cardWidth: CardWidth,
    cardContents: listOf('cardContents', CardContent, BM_LIMITS.carouselMaxCards).min(
      BM_LIMITS.carouselMinCards,
      {
        error: (iss) =>
          `cardContents needs at least ${BM_LIMITS.carouselMinCards} cards (got ${countOf(iss.input)})`,
      },
    ),
  })
  .superRefine((carousel, ctx) => {
    // Google: TALL media cannot be used with SMALL card width.
    if (carousel.cardWidth !== 'SMALL' || !Array.isArray(carousel.cardContents)) return;
    carousel.cardContents.forEach((card, i) => {
      if (card.media?.height === 'TALL') {
        ctx.addIssue({
          code: 'custom',
          path: ['cardContents', i, 'media', 'height'],
          message: 'height TALL is not allowed with cardWidth SMALL',
        });
      }
    });
  });
export type CarouselCard = z.infer<typeof CarouselCard>;

export const RichCard = z
  .strictObject({
    standaloneCard: StandaloneCard.optional(),
    carouselCard: CarouselCard.optional(),
  })
  .superRefine(exactlyOne('richCard', ['standaloneCard', 'carouselCard']));
export type RichCard = z.infer<typeof RichCard>;

export const Image = z.strictObject({ contentInfo: ContentInfo });
export type Image = z.infer<typeof Image>;

/** Body of `POST /v1/conversations/{conversationId}/messages`. */
export const Message = z
  .strictObject({
    /** Output only; Google ignores it on create. */
    name: z.string().optional(),
    messageId: str('messageId'),
    representative: Representative,
    text: str('text', { max: BM_LIMITS.textChars }).optional(),
    image: Image.optional(),
    richCard: RichCard.optional(),
    fallback: str('fallback', { min: 0, max: BM_LIMITS.fallbackChars }).optional(),
    suggestions: listOf('suggestions', Suggestion, BM_LIMITS.messageSuggestions).optional(),
    containsRichText: z.boolean({ error: 'containsRichText must be a boolean' }).optional(),
  })
  .superRefine(exactlyOne('message', ['text', 'image', 'richCard']));
export type Message = z.infer<typeof Message>;

/** Content some devices cannot render; Google then shows `fallback` (or fails without one). */
export function hasRichContent(message: Message): boolean {
  return (
    message.richCard !== undefined ||
    message.image !== undefined ||
    (message.text !== undefined && message.containsRichText === true)
  );
}

/**
 * This project's rule for brand configuration, stricter than Google: rich content always carries
 * a fallback, because Google fails the send (FAILED_PRECONDITION) on a device that cannot render
 * it. Use as `Message.superRefine(requireFallbackForRichContent)`; the API stand-in does not.
 */
export function requireFallbackForRichContent(
  message: Message,
  ctx: z.RefinementCtx<Message>,
): void {
  if (hasRichContent(message) && (message.fallback ?? '').trim() === '') {
    ctx.addIssue({
      code: 'custom',
      path: ['fallback'],
      message: 'fallback is required for rich content',
    });
  }
}

/** A message as brand configuration may define it. */
export const MessageWithFallback = Message.superRefine(requireFallbackForRichContent);
export type MessageWithFallback = z.infer<typeof MessageWithFallback>;

export const EventType = oneOf('eventType', [
  'TYPING_STARTED',
  'TYPING_STOPPED',
  'REPRESENTATIVE_JOINED',
  'REPRESENTATIVE_LEFT',
]);
export type EventType = z.infer<typeof EventType>;

/** Body of `POST /v1/conversations/{conversationId}/events?eventId=…`. */
export const Event = z.strictObject({
  name: z.string().optional(),
  eventType: EventType,
  representative: Representative,
});
export type Event = z.infer<typeof Event>;

/** Body of `PATCH /v1/conversations/{conversationId}/messages/{messageId}/receipt`. */
export const Receipt = z.strictObject({
  name: z.string().optional(),
  receiptType: z.literal('READ', { error: 'receiptType must be READ' }),
});
export type Receipt = z.infer<typeof Receipt>;

/** Body of `POST /v1/conversations/{conversationId}/surveys?surveyId=…`: empty. */
export const Survey = z.strictObject({ name: z.string().optional() });
export type Survey = z.infer<typeof Survey>;

/** Google's standard error body, as the API (and the local stand-in) answer failures. */
export const ApiErrorBody = z.object({
  error: z.looseObject({
    code: z.number().int(),
    message: z.string(),
    status: z.string(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
