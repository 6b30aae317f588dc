import * as z from 'zod';
import { CloseBody, GetQuery, ListQuery, SendMessageBody, SignInBody, TypingBody } from './schemas';
import { ConversationView, MessageView, SessionView, StreamEvents } from './views';

/**
 * `GET /openapi.json`: the agent API described from the very schemas it validates requests with
 * and answers from (zod 4's JSON Schema output), so the description cannot drift from the code.
 * Built on the first request for it, never at start: API requests don't pay for it.
 */

type JsonSchema = Record<string, unknown>;

/**
 * Converts zod schemas to JSON Schema 2020-12 (which OpenAPI 3.1 takes as is). Schemas with a
 * `meta({id})` become named components, referenced from everywhere they appear, instead of being
 * copied into every operation.
 */
class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};

  input(schema: z.ZodType): JsonSchema {
    return this.convert(schema, 'input');
  }

  output(schema: z.ZodType): JsonSchema {
    return this.convert(schema, 'output');
  }

  private convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
    const {
      $schema: _ignored,
      $defs: defs,
      ...rest
    } = JSON.parse(
      JSON.stringify(converted).replace(/"#\/\$defs\//g, '"#/components/schemas/'),
    ) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    for (const [name, def] of Object.entries(defs ?? {})) this.components[name] ??= def;
    return rest;
  }
}

const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum([
        'INVALID_ARGUMENT',
        'UNAUTHENTICATED',
        'FORBIDDEN',
        'NOT_FOUND',
        'METHOD_NOT_ALLOWED',
        'CONFLICT',
        'INTERNAL',
        'UNAVAILABLE',
      ]),
      message: z.string(),
      /** 409 from a claim: who holds the conversation now. */
      heldBy: z.object({ agentId: z.string(), displayName: z.string() }).optional(),
    }),
  })
  .meta({ id: 'Error' });

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const answer = (description: string, schema?: JsonSchema) => ({
  description,
  ...(schema ? { content: json(schema) } : {}),
});
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), answer(ERROR_TEXT[s] ?? 'error', ref('Error'))]),
  );
const ERROR_TEXT: Record<number, string> = {
  400: 'invalid argument',
  401: 'not signed in',
  403: 'not allowed (not the holder, not an agent, or a cross-site request)',
  404: 'no such conversation for this agent (another brand’s is as unknown as a missing one)',
  409: 'conflict (another agent holds it)',
  503: 'temporarily unavailable; retry',
};

const queryParameters = (schemas: SchemaCollector, schema: z.ZodObject) => {
  const described = schemas.input(schema) as { properties?: Record<string, JsonSchema> };
  return Object.entries(described.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: s,
  }));
};

const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Google’s conversation ID',
  schema: { type: 'string' },
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Retries with the same key are the same message or typing event.',
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
};

const conversationAnswer = z.object({ conversation: ConversationView });

export function openApiDocument(): JsonSchema {
  const schemas = new SchemaCollector();
  const inputSchema = (schema: z.ZodType) => schemas.input(schema);
  const outputSchema = (schema: z.ZodType) => schemas.output(schema);
  const events = Object.fromEntries(
    Object.entries(StreamEvents).map(([name, schema]) => [name, outputSchema(schema)]),
  );
  for (const named of [ErrorBody, ConversationView, MessageView, SessionView]) outputSchema(named);
  const withConversation = (summary: string, body?: z.ZodType, extra: JsonSchema = {}) => ({
    summary,
    parameters: [idParameter],
    ...(body ? { requestBody: { required: false, content: json(inputSchema(body)) } } : {}),
    responses: {
      '200': answer('done', outputSchema(conversationAnswer)),
      ...errors(400, 401, 403, 404, 409, 503),
    },
    ...extra,
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'bm-pipeline agent API',
      version: '1',
      description:
        'Live agents’ API: the queue, claims, messages, releases and closes, and a live event stream. ' +
        'Authentication: Identity-Aware Proxy in production; locally a bearer token, or the console’s ' +
        'session cookie (`POST /session`). Requests authenticated by the cookie that change anything ' +
        'must send `X-BM-Console: 1`.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'bm_session' },
      },
      schemas: schemas.components,
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      '/session': {
        get: {
          summary: 'Who is signed in, and the brands they serve (with canned responses)',
          responses: { '200': answer('signed in', ref('SessionView')), ...errors(401, 403) },
        },
        post: {
          summary: 'Console sign-in with an agent token (local token mode only; 404 behind IAP)',
          security: [],
          requestBody: { required: true, content: json(inputSchema(SignInBody)) },
          responses: {
            '200': {
              description: 'signed in; sets the HttpOnly, SameSite=Strict `bm_session` cookie',
              content: json(ref('SessionView')),
            },
            ...errors(400, 401, 403, 404),
          },
        },
        delete: {
          summary: 'Sign out: clears the session cookie',
          security: [],
          responses: { '204': { description: 'signed out' }, ...errors(403) },
        },
      },
      '/conversations': {
        get: {
          summary: 'Live conversations of the agent’s brands (newest change first)',
          parameters: queryParameters(schemas, ListQuery),
          responses: {
            '200': answer(
              'the conversations',
              outputSchema(z.object({ conversations: z.array(ConversationView) })),
            ),
            ...errors(400, 401, 403, 503),
          },
        },
      },
      '/conversations/{id}': {
        get: {
          summary:
            'A conversation and its transcript (oldest first); marks the customer’s messages read',
          parameters: [idParameter, ...queryParameters(schemas, GetQuery)],
          responses: {
            '200': answer(
              'the conversation',
              outputSchema(
                z.object({ conversation: ConversationView, messages: z.array(MessageView) }),
              ),
            ),
            ...errors(400, 401, 403, 404, 503),
          },
        },
      },
      '/conversations/{id}/claim': {
        post: withConversation(
          'Take a queued conversation (of concurrent claims exactly one wins; the others get 409 with `heldBy`)',
        ),
      },
      '/conversations/{id}/messages': {
        post: {
          summary: 'Send a message as the agent holding the conversation',
          parameters: [idParameter, idempotencyKey],
          requestBody: { required: true, content: json(inputSchema(SendMessageBody)) },
          responses: {
            '202': answer(
              'accepted for sending',
              outputSchema(z.object({ conversationId: z.string(), messageId: z.string() })),
            ),
            ...errors(400, 401, 403, 404, 503),
          },
        },
      },
      '/conversations/{id}/typing': {
        post: {
          summary: 'Show or stop the agent’s typing indicator',
          parameters: [idParameter, idempotencyKey],
          requestBody: { required: true, content: json(inputSchema(TypingBody)) },
          responses: {
            '202': answer(
              'accepted for sending',
              outputSchema(z.object({ conversationId: z.string(), eventId: z.string() })),
            ),
            ...errors(400, 401, 403, 404, 503),
          },
        },
      },
      '/conversations/{id}/release': {
        post: withConversation('Hand the conversation back to the bot (REPRESENTATIVE_LEFT)'),
      },
      '/conversations/{id}/close': {
        post: withConversation('Close the conversation, optionally with a survey', CloseBody),
      },
      '/events': {
        get: {
          summary: 'Server-sent events of the agent’s brands',
          description:
            'On connecting, one `conversation.updated` per live conversation, then `ready`; then ' +
            'changes as they happen. The stream ends by design every few minutes (`reconnect`); ' +
            'EventSource reconnects by itself. Each event’s `data` is the JSON of `x-events[name]`.',
          responses: {
            '200': {
              description: 'an event stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
              'x-events': events,
            },
            ...errors(400, 401, 403),
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This description',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1' } },
        },
      },
    },
  };
}
