import * as z from 'zod';
import { BM_LIMITS, Suggestion } from '../core/business-messages-api';

/**
 * Every input of the agent API, validated before anything is read or sent. Objects are strict:
 * a misspelt field is an error (INVALID_ARGUMENT), not silently ignored.
 */

/** A path segment naming a conversation (Google's conversation ID). */
export const ConversationId = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[^/\s]+$/, 'not a conversation ID');

/** `Idempotency-Key`: printable ASCII without spaces, as most HTTP APIs accept it. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 printable ASCII characters');

const Flag = z.enum(['true', 'false'], { error: 'expected true or false' });

export const ListQuery = z.strictObject({
  state: z
    .enum(['queued', 'with_agent'], { error: 'state must be queued or with_agent' })
    .optional(),
  mine: Flag.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const GetQuery = z.strictObject({
  /** The newest entries of the log to return. */
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const NoQuery = z.strictObject({});

export const SendMessageBody = z.strictObject({
  text: z
    .string({ error: 'text is required' })
    .min(1, 'text must not be empty')
    .max(BM_LIMITS.textChars, `text must be at most ${BM_LIMITS.textChars} characters`),
  suggestions: z
    .array(Suggestion)
    .max(BM_LIMITS.messageSuggestions, `at most ${BM_LIMITS.messageSuggestions} suggestions`)
    .optional(),
  /** The client's ID of this send (e.g. a UUID made when Send was pressed): its retries are one. */
  clientMessageId: z.string().min(1).max(255).optional(),
});
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const TypingBody = z.strictObject({
  isTyping: z.boolean({ error: 'isTyping must be a boolean' }),
});

export const CloseBody = z.strictObject({
  survey: z.boolean({ error: 'survey must be a boolean' }).optional(),
});

export const EmptyBody = z.strictObject({});

/** `POST /session`: the console's token sign-in. The token is never logged or echoed. */
export const SignInBody = z.strictObject({
  token: z.string({ error: 'token is required' }).min(1, 'token must not be empty').max(4096),
});
