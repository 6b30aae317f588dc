import * as z from 'zod';
import { utf8Length } from './utf8';
import { describeIssues, validationProblems, type ValidationProblem } from './validation-problems';

/**
 * Google's webhook payloads, parsed once at the edge into one discriminated `InboundEvent`.
 *
 * Google's own documents disagree on a few spellings (`type`/`suggestionType`,
 * `redirectUri`/`redirect_uri`) and show booleans as strings in places; all are accepted.
 * Timestamps must be RFC 3339: that is what rejects the placeholder payloads of Google's test
 * framework ("MESSAGE_CREATE_TIME") into quarantine instead of into a conversation.
 */

const Rfc3339 = z.iso.datetime({ offset: true, local: false, precision: undefined });

/** Booleans, also as the strings "true"/"false" that Google's examples show. */
const LenientBoolean = z.union([
  z.boolean(),
  z
    .enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'])
    .transform((s) => s.toLowerCase() === 'true'),
]);

const NonEmpty = z.string().min(1);

/**
 * Byte limits on the identifiers that travel as Pub/Sub attributes and ordering keys (1024
 * bytes each) and inside Firestore document IDs (1500 bytes). They are checked here, at the
 * edge, so an over-long value is quarantined with this reason instead of failing a publish or
 * a write further on, where no retry could ever succeed.
 */
export const MAX_CONVERSATION_ID_BYTES = 512;
/** `dedupeKey` is `r:` + the request ID: an attribute, and part of document IDs. */
export const MAX_REQUEST_ID_BYTES = 256;
export const MAX_AGENT_NAME_BYTES = 512;

/** `schema`, also refusing more than `maxBytes` of UTF-8 (the problem names no value). */
const withinBytes = <S extends z.ZodString>(schema: S, maxBytes: number) =>
  schema.refine(
    // A UTF-16 unit is at most 3 bytes of UTF-8, so most values need no counting (every
    // event's IDs pass through here).
    (value) => value.length * 3 <= maxBytes || utf8Length(value) <= maxBytes,
    `must be at most ${maxBytes} bytes of UTF-8`,
  );

/** `brands/BRAND_ID/agents/AGENT_ID`; the brand and agent IDs are what routing keys on. */
export const AgentName = withinBytes(
  z
    .string()
    .regex(
      /^brands\/[A-Za-z0-9_-]+\/agents\/[A-Za-z0-9_-]+$/,
      'expected brands/BRAND_ID/agents/AGENT_ID',
    ),
  MAX_AGENT_NAME_BYTES,
);
export type AgentName = z.infer<typeof AgentName>;

export const EntryPoint = z.string().min(1);

export const Context = z
  .object({
    entryPoint: EntryPoint.optional(),
    userInfo: z
      .object({
        displayName: z.string().optional(),
        userDeviceLocale: z.string().optional(),
      })
      .optional(),
    widget: z
      .object({ url: z.string().optional(), widgetContext: z.string().optional() })
      .optional(),
    resolvedLocale: z.string().optional(),
    customContext: z.string().optional(),
    placeId: z.string().optional(),
    nearPlaceId: z.string().optional(),
  })
  .loose();
export type Context = z.infer<typeof Context>;

const MessageName = z
  .string()
  .regex(/^conversations\/[^/]+\/messages\/[^/]+$/, 'expected conversations/C/messages/M');

export const UserMessagePayload = z.object({
  messageId: NonEmpty,
  name: MessageName.optional(),
  text: z.string(),
  createTime: Rfc3339,
});

/** What the customer's device reports of our messages (we send only READ: ports' `ReceiptType`). */
export const InboundReceiptType = z.enum(['DELIVERED', 'READ', 'RECEIPT_TYPE_UNSPECIFIED']);
export type InboundReceiptType = z.infer<typeof InboundReceiptType>;

export const ReceiptsPayload = z.object({
  receipts: z.array(z.object({ message: MessageName, receiptType: InboundReceiptType })).min(1),
  createTime: Rfc3339,
});

export const UserStatusPayload = z.object({
  isTyping: LenientBoolean.optional(),
  requestedLiveAgent: LenientBoolean.optional(),
  createTime: Rfc3339,
});

export const SuggestionType = z.enum(['ACTION', 'REPLY', 'SUGGESTION_TYPE_UNSPECIFIED']);

export const SuggestionResponsePayload = z.object({
  message: MessageName.optional(),
  postbackData: z.string(),
  createTime: Rfc3339,
  text: z.string().optional(),
  type: SuggestionType.optional(),
  suggestionType: SuggestionType.optional(),
});

export const SurveyRating = z.enum([
  'SURVEY_RATING_UNSPECIFIED',
  'VERY_DISSATISFIED',
  'SOMEWHAT_DISSATISFIED',
  'NEITHER_SATISFIED_NOR_DISSATISFIED',
  'SOMEWHAT_SATISFIED',
  'VERY_SATISFIED',
]);

export const SurveyResponsePayload = z
  .object({
    survey: z.string().min(1),
    rating: SurveyRating.optional(),
    feedback: z.string().optional(),
    createTime: Rfc3339,
    surveyQuestionId: z.string().optional(),
    questionResponseText: z.string().optional(),
    questionResponsePostbackData: z.string().optional(),
    questionType: z.string().optional(),
    questionIndex: z.coerce.number().int().nonnegative().optional(),
    totalQuestionCount: z.coerce.number().int().positive().optional(),
    surveyTriggerSource: z.string().optional(),
  })
  .loose();

export const AuthenticationResponsePayload = z.object({
  code: z.string().optional(),
  errorDetails: z
    .object({ error: z.string().optional(), errorDescription: z.string().optional() })
    .optional(),
  redirectUri: z.string().optional(),
  redirect_uri: z.string().optional(),
});

/** Kept as received: only its presence matters to routing (Google may already have answered). */
export const DialogflowResponse = z
  .object({ autoResponded: LenientBoolean.optional(), queryText: z.string().optional() })
  .loose();

const PAYLOAD_KEYS = [
  'message',
  'receipts',
  'userStatus',
  'surveyResponse',
  'suggestionResponse',
  'authenticationResponse',
] as const;

/** The webhook body as Google sends it (`UserMessage`). */
export const UserMessage = z
  .object({
    requestId: withinBytes(NonEmpty, MAX_REQUEST_ID_BYTES).optional(),
    conversationId: withinBytes(NonEmpty, MAX_CONVERSATION_ID_BYTES),
    customAgentId: z.string().optional(),
    agent: AgentName,
    context: Context.optional(),
    sendTime: Rfc3339.optional(),
    dialogflowResponse: DialogflowResponse.optional(),
    message: UserMessagePayload.optional(),
    receipts: ReceiptsPayload.optional(),
    userStatus: UserStatusPayload.optional(),
    surveyResponse: SurveyResponsePayload.optional(),
    suggestionResponse: SuggestionResponsePayload.optional(),
    authenticationResponse: AuthenticationResponsePayload.optional(),
  })
  .loose()
  .superRefine((body, ctx) => {
    const present = PAYLOAD_KEYS.filter((k) => body[k] !== undefined);
    if (present.length > 1) {
      ctx.addIssue({
        code: 'custom',
        message: `exactly one payload expected, found ${present.join(', ')}`,
        path: [present[1] ?? 'payload'],
      });
    }
    const status = body.userStatus;
    if (status && status.isTyping === undefined && status.requestedLiveAgent === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'userStatus needs isTyping or requestedLiveAgent',
        path: ['userStatus'],
      });
    }
  });
export type UserMessage = z.infer<typeof UserMessage>;

/** Where the conversation came from; stored on the conversation and used by greetings. */
export interface Origin {
  entryPoint?: string;
  placeId?: string;
  nearPlaceId?: string;
  resolvedLocale?: string;
  userDeviceLocale?: string;
  widgetUrl?: string;
  customContext?: string;
}

interface EventBase {
  conversationId: string;
  agent: string;
  brandId: string;
  agentId: string;
  requestId?: string;
  /** Stable across Google's redeliveries; every effect of this event is keyed on it. */
  dedupeKey: string;
  /** When the user acted (payload createTime), else sendTime. ISO 8601. */
  occurredAt?: string;
  origin: Origin;
  /** Personal data: logged only when content logging is configured. */
  userDisplayName?: string;
  /** Present when Google's Dialogflow integration saw the message (may have auto-responded). */
  dialogflow?: { autoResponded: boolean };
}

export type InboundEvent =
  | (EventBase & { kind: 'text'; messageId: string; text: string })
  | (EventBase & { kind: 'image'; messageId: string; imageUrl: string })
  | (EventBase & {
      kind: 'receipts';
      receipts: { messageId: string; receiptType: InboundReceiptType }[];
    })
  | (EventBase & { kind: 'typing'; isTyping: boolean })
  | (EventBase & { kind: 'liveAgentRequest' })
  | (EventBase & {
      kind: 'suggestion';
      postbackData: string;
      text?: string;
      suggestionType?: z.infer<typeof SuggestionType>;
      /** The ID of our message that carried the chip, when Google names it. */
      inReplyTo?: string;
    })
  | (EventBase & {
      kind: 'survey';
      surveyId: string;
      rating?: z.infer<typeof SurveyRating>;
      questionId?: string;
      questionIndex?: number;
      totalQuestionCount?: number;
      responseText?: string;
      responsePostbackData?: string;
      feedback?: string;
    })
  | (EventBase & {
      kind: 'authentication';
      code?: string;
      error?: string;
      errorDescription?: string;
      redirectUri?: string;
    })
  | (EventBase & { kind: 'unknown'; payloadKeys: string[] });

export type InboundEventKind = InboundEvent['kind'];

export const INBOUND_EVENT_KINDS: readonly InboundEventKind[] = [
  'text',
  'image',
  'receipts',
  'typing',
  'liveAgentRequest',
  'suggestion',
  'survey',
  'authentication',
  'unknown',
];

/**
 * The customer's own words in an event (message text, chip, survey answers, display name), for
 * the logger's `content` field, which is written only when content logging is configured. One
 * definition for every function that logs events, so what counts as content cannot drift.
 */
export function contentOf(event: InboundEvent): Record<string, unknown> | undefined {
  // Whole literals, not the name spread into each: on Node 20 a literal that starts with a
  // spread and adds fields after it measured about a microsecond, and the webhook builds this
  // for every event it accepts (the logger drops it unless content logging is on).
  const name = event.userDisplayName;
  switch (event.kind) {
    case 'text':
      return name ? { userDisplayName: name, text: event.text } : { text: event.text };
    case 'suggestion':
      return name
        ? { userDisplayName: name, text: event.text, postbackData: event.postbackData }
        : { text: event.text, postbackData: event.postbackData };
    case 'survey':
      return name
        ? { userDisplayName: name, responseText: event.responseText, feedback: event.feedback }
        : { responseText: event.responseText, feedback: event.feedback };
    default:
      return name ? { userDisplayName: name } : undefined;
  }
}

/**
 * A user's image arrives as a message whose text is a signed Cloud Storage URL (Google's
 * fixtures); there is no separate image field.
 */
const SIGNED_IMAGE_URL = /^https:\/\/storage\.googleapis\.com\/[^\s?]+\?[^\s]*x-goog-signature=/i;

const lastSegment = (name: string): string => name.slice(name.lastIndexOf('/') + 1);

/** Content-derived keys need a digest; the core stays free of crypto, so it is passed in. */
export type Digest = (text: string) => string;

const KNOWN_TOP_LEVEL = new Set<string>([
  'requestId',
  'conversationId',
  'customAgentId',
  'agent',
  'context',
  'sendTime',
  'dialogflowResponse',
  ...PAYLOAD_KEYS,
]);

export type InboundParseResult =
  { ok: true; event: InboundEvent } | { ok: false; reason: string; issues: ValidationProblem[] };

/** Turns untrusted webhook JSON into an `InboundEvent`, or says exactly why it can't. */
export function parseInboundEvent(json: unknown, digest: Digest): InboundParseResult {
  const parsed = UserMessage.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `schema mismatch: ${describeIssues(parsed.error)}`,
      issues: validationProblems(parsed.error),
    };
  }
  return { ok: true, event: toInboundEvent(parsed.data, digest) };
}

function toInboundEvent(body: UserMessage, digest: Digest): InboundEvent {
  const [, brandId = '', , agentId = ''] = body.agent.split('/');
  const ctx = body.context;
  const origin: Origin = definedFields({
    entryPoint: ctx?.entryPoint,
    placeId: ctx?.placeId,
    nearPlaceId: ctx?.nearPlaceId,
    resolvedLocale: ctx?.resolvedLocale,
    userDeviceLocale: ctx?.userInfo?.userDeviceLocale,
    widgetUrl: ctx?.widget?.url,
    customContext: ctx?.customContext,
  });
  const base: EventBase = definedFields({
    conversationId: body.conversationId,
    agent: body.agent,
    brandId,
    agentId,
    requestId: body.requestId,
    dedupeKey:
      body.requestId !== undefined ? `r:${body.requestId}` : contentDedupeKey(body, digest),
    origin,
    userDisplayName: ctx?.userInfo?.displayName,
    dialogflow: body.dialogflowResponse
      ? { autoResponded: body.dialogflowResponse.autoResponded ?? false }
      : undefined,
  });
  const at = (createTime: string | undefined) => createTime ?? body.sendTime;

  // Each kind's fields go onto `base` (made for this event alone) with `Object.assign`, not into
  // a copy made by spreading it: on Node 20, a literal that starts with a spread and adds fields
  // after it measured 1.5-4 µs per object (a plain literal: well under 0.1 µs), and this runs
  // for every event the webhook, the classifier and the consumers parse. Key order is as it
  // was: the base's fields, then the kind's.
  if (body.message) {
    const m = body.message;
    const occurredAt = at(m.createTime);
    const text = m.text.trim();
    return SIGNED_IMAGE_URL.test(text)
      ? Object.assign(base, {
          occurredAt,
          messageId: m.messageId,
          kind: 'image' as const,
          imageUrl: text,
        })
      : Object.assign(base, {
          occurredAt,
          messageId: m.messageId,
          kind: 'text' as const,
          text: m.text,
        });
  }
  if (body.receipts) {
    return Object.assign(base, {
      occurredAt: at(body.receipts.createTime),
      kind: 'receipts' as const,
      receipts: body.receipts.receipts.map((r) => ({
        messageId: lastSegment(r.message),
        receiptType: r.receiptType,
      })),
    });
  }
  if (body.userStatus) {
    const s = body.userStatus;
    const occurredAt = at(s.createTime);
    return s.requestedLiveAgent === true
      ? Object.assign(base, { occurredAt, kind: 'liveAgentRequest' as const })
      : Object.assign(base, { occurredAt, kind: 'typing' as const, isTyping: s.isTyping ?? false });
  }
  if (body.suggestionResponse) {
    const s = body.suggestionResponse;
    return Object.assign(
      base,
      definedFields({
        occurredAt: at(s.createTime),
        kind: 'suggestion' as const,
        postbackData: s.postbackData,
        text: s.text,
        suggestionType: s.type ?? s.suggestionType,
        inReplyTo: s.message ? lastSegment(s.message) : undefined,
      }),
    );
  }
  if (body.surveyResponse) {
    const s = body.surveyResponse;
    return Object.assign(
      base,
      definedFields({
        occurredAt: at(s.createTime),
        kind: 'survey' as const,
        surveyId: lastSegment(s.survey),
        rating: s.rating,
        questionId: s.surveyQuestionId,
        questionIndex: s.questionIndex,
        totalQuestionCount: s.totalQuestionCount,
        responseText: s.questionResponseText,
        responsePostbackData: s.questionResponsePostbackData,
        feedback: s.feedback,
      }),
    );
  }
  if (body.authenticationResponse) {
    const a = body.authenticationResponse;
    return Object.assign(
      base,
      definedFields({
        occurredAt: body.sendTime,
        kind: 'authentication' as const,
        code: a.code,
        error: a.errorDetails?.error,
        errorDescription: a.errorDetails?.errorDescription,
        redirectUri: a.redirectUri ?? a.redirect_uri,
      }),
    );
  }
  const payloadKeys = Object.keys(body).filter((k) => !KNOWN_TOP_LEVEL.has(k));
  // `occurredAt` stays even when there is no sendTime (as an undefined field), as it always has.
  return Object.assign(base, { occurredAt: body.sendTime, kind: 'unknown' as const, payloadKeys });
}

/**
 * The dedupe key of an event without a request ID: a digest of what it says. These bytes are
 * part of every key already stored, so their form must never change: a redelivery across a
 * deploy would otherwise be a new event. Computed only when needed: Google's events carry a
 * request ID, and serialising the payload for nothing was a measurable part of the webhook's work.
 */
function contentDedupeKey(body: UserMessage, digest: Digest): string {
  const payloadKey = PAYLOAD_KEYS.find((k) => body[k] !== undefined);
  const contentKey = JSON.stringify([
    body.conversationId,
    payloadKey ?? null,
    payloadKey ? body[payloadKey] : null,
  ]);
  return `d:${digest(contentKey)}`;
}

/**
 * `fields` without the ones whose value is `undefined`, in the same order: `withoutUndefined`
 * for one level. Every object it is given here holds only strings, numbers and objects that are
 * already clean (`origin`, `dialogflow`), so the generic deep copy (which ran twice per event,
 * rebuilding `origin` each time, and was the larger part of parsing an event) is not needed.
 */
function definedFields<T extends object>(fields: T): T {
  const kept: Partial<T> = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept as T;
}
