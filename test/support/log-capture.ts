import { createLogger, type Logger } from '../../functions/platform/logger';

export interface CapturedLoggerOptions {
  /** Log `content` fields (the customer's words), as `LOG_CONTENT=true` does. */
  logContent?: boolean;
  now?: () => Date;
  /** The project in trace resource names; `test-project` unless a test needs its own. */
  project?: string;
}

/**
 * The log lines a function under test writes, kept for assertions instead of going to stdout:
 * as written (`lines`) and parsed (`entries`). One capture may serve several loggers, so a
 * pipeline of functions logs into one ordered record.
 */
export class LogCapture {
  readonly entries: Record<string, unknown>[] = [];

  /** `lines` may be an array the caller owns, to receive the lines as well. */
  constructor(readonly lines: string[] = []) {}

  /** A logger for `component` that writes here. */
  logger(component: string, options: CapturedLoggerOptions = {}): Logger {
    return createLogger({
      project: options.project ?? 'test-project',
      component,
      logContent: options.logContent ?? false,
      ...(options.now !== undefined ? { now: options.now } : {}),
      write: (line) => {
        this.lines.push(line);
        this.entries.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
  }
}
