import type { NextFunction, Request, Response } from 'express';
import { jsonFailure, type JsonFailure } from './quarantine';

/**
 * functions-framework parses JSON bodies before user code runs and answers a syntax error
 * itself with a bare 400. Google would redeliver such a body for 7 days and we would never see
 * it, let alone quarantine it. This wraps body-parser's `json()` (the instance the framework
 * uses, resolved from the same place) so that a malformed body reaches the function with
 * `req.body` unset, its raw bytes in `req.rawBody`, and the parser's complaint attached (a
 * content-free `reason`, and the parser's message, which quotes the body, as `detail`).
 * It must run before the framework builds its server, i.e. when the function module loads.
 * test/webhook/webhook-http.test.ts fails if a framework upgrade makes this ineffective.
 */
interface BodyParserModule {
  json: (options?: unknown) => (req: Request, res: Response, next: NextFunction) => void;
  __malformedJsonTolerated?: boolean;
}

export const MALFORMED_JSON = Symbol.for('bm-pipeline.malformedJson');

export type RequestWithMalformedJson = Request & { [MALFORMED_JSON]?: JsonFailure };

export function tolerateMalformedJson(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the very module object the framework holds
  const bodyParser = require('body-parser') as BodyParserModule;
  if (bodyParser.__malformedJsonTolerated) return;
  const original = bodyParser.json.bind(bodyParser);
  bodyParser.json = (options?: unknown) => {
    const middleware = original(options);
    return (req, res, next) =>
      middleware(req, res, (error?: unknown) => {
        if (isParseFailure(error)) {
          (req as RequestWithMalformedJson)[MALFORMED_JSON] = jsonFailure(error);
          req.body = undefined;
          next();
          return;
        }
        next(error);
      });
  };
  bodyParser.__malformedJsonTolerated = true;
}

function isParseFailure(error: unknown): error is Error {
  return error instanceof Error && (error as { type?: unknown }).type === 'entity.parse.failed';
}
