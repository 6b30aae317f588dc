import type * as z from 'zod';

/**
 * What a schema found wrong with a value, worded the one way every error answer, quarantine
 * reason and log line uses: `field.path: message`, several joined by `; `. (Brand documents are
 * described differently, `intents[3].text: …`, for the people who write them: see brand-config.)
 */

export interface IssueFormat {
  /**
   * How an issue about the value as a whole is prefixed: `(root)` unless said otherwise; `null`
   * for the message alone, when the caller already names the value (`invalid conversation ID: …`).
   */
  root?: string | null;
  /** Put before every path, e.g. `--` when the fields are command-line flags. */
  pathPrefix?: string;
}

export interface ValidationProblem {
  /** The dotted path (`suggestions.0.text`), or the `root` name for the value as a whole. */
  path: string;
  message: string;
}

/** A zod path dotted: `['suggestions', 0, 'text']` → `suggestions.0.text`; `[]` → ''. */
export const issuePath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/** Each issue's path and message. */
export function validationProblems(
  error: z.ZodError,
  format: IssueFormat = {},
): ValidationProblem[] {
  const root = format.root === undefined ? '(root)' : (format.root ?? '');
  return error.issues.map((issue) => {
    const path = issuePath(issue.path);
    return {
      path: path === '' ? root : `${format.pathPrefix ?? ''}${path}`,
      message: issue.message,
    };
  });
}

/** Each issue as one line, `path: message` (the message alone where the path is empty). */
export const issueLines = (error: z.ZodError, format: IssueFormat = {}): string[] =>
  validationProblems(error, format).map(({ path, message }) =>
    path === '' ? message : `${path}: ${message}`,
  );

/** The issues as `field.path: message; …`, for error answers, reasons and logs. */
export const describeIssues = (error: z.ZodError, format: IssueFormat = {}): string =>
  issueLines(error, format).join('; ');
