import { traceResource } from './trace';

/**
 * One JSON object per line on stdout, in the shape Cloud Logging maps to a LogEntry:
 * `severity`, `message`, `logging.googleapis.com/trace` and `logging.googleapis.com/labels`.
 * Customer content (message text, user names) travels in `content` and is written only when
 * content logging is configured; everything else about an event is safe to log.
 */
export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface LogLabels {
  conversationId?: string;
  brandId?: string;
  agentId?: string;
  requestId?: string;
  messageId?: string;
  dedupeKey?: string;
}

/** The labels every log line about one inbound event carries. */
export function eventLabels(event: {
  conversationId: string;
  brandId: string;
  agentId: string;
  dedupeKey: string;
  requestId?: string;
}): LogLabels {
  return {
    conversationId: event.conversationId,
    brandId: event.brandId,
    agentId: event.agentId,
    dedupeKey: event.dedupeKey,
    ...(event.requestId ? { requestId: event.requestId } : {}),
  };
}

export interface LogContext {
  labels?: LogLabels;
  traceId?: string;
}

export interface LogFields {
  /** A stable machine-readable name for log-based metrics (`jsonPayload.event`). */
  event?: string;
  /** Customer content: dropped unless content logging is on. */
  content?: Record<string, unknown>;
  error?: unknown;
  [key: string]: unknown;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines also carry these labels and trace. */
  with(context: LogContext): Logger;
}

export interface LoggerOptions {
  project: string;
  component: string;
  logContent: boolean;
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions, context: LogContext = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());

  const emit = (severity: Severity, message: string, fields: LogFields = {}) => {
    const { content, error, ...rest } = fields;
    const entry: Record<string, unknown> = {
      severity,
      message:
        error instanceof Error && severity === 'ERROR'
          ? `${message}: ${error.stack ?? error.message}`
          : message,
      timestamp: now().toISOString(),
      component: options.component,
      ...rest,
    };
    if (error !== undefined) entry.error = describeError(error);
    if (content !== undefined && options.logContent) entry.content = content;
    const labels = { component: options.component, ...stringLabels(context.labels ?? {}) };
    entry['logging.googleapis.com/labels'] = labels;
    if (context.traceId) {
      entry['logging.googleapis.com/trace'] = traceResource(options.project, context.traceId);
    }
    write(safeStringify(entry));
  };

  return {
    debug: (m, f) => emit('DEBUG', m, f),
    info: (m, f) => emit('INFO', m, f),
    warn: (m, f) => emit('WARNING', m, f),
    error: (m, f) => emit('ERROR', m, f),
    with: (more) =>
      createLogger(options, {
        labels: { ...context.labels, ...more.labels },
        traceId: more.traceId ?? context.traceId,
      }),
  };
}

function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const retryable = (error as { retryable?: unknown }).retryable;
    return {
      name: error.name,
      message: error.message,
      ...(typeof retryable === 'boolean' ? { retryable } : {}),
    };
  }
  return { message: String(error) };
}

/** The labels that have a value: Cloud Logging takes string labels only. */
function stringLabels(labels: LogLabels): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function safeStringify(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry);
  } catch {
    return JSON.stringify({ severity: entry.severity, message: String(entry.message) });
  }
}
