import { writeSync } from 'node:fs';
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
  /** Where each line goes (without its newline); stdout, buffered per event-loop turn, if unset. */
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions, context: LogContext = {}): Logger {
  const shared: SharedOptions = {
    project: options.project,
    component: options.component,
    logContent: options.logContent,
    write: options.write ?? writeStdoutLine,
    now: options.now ?? (() => new Date()),
  };
  return new JsonLineLogger(shared, context.labels ?? {}, context.traceId);
}

type SharedOptions = Required<LoggerOptions>;

/**
 * A class rather than closures: `with` runs at least once per request (the trace, then the
 * event's labels), and a logger that shares its options costs one small object, not five
 * functions. The labels and trace fields are built once per logger, when it first writes.
 */
class JsonLineLogger implements Logger {
  private labelsField: Record<string, string> | undefined;

  constructor(
    private readonly options: SharedOptions,
    private readonly labels: LogLabels,
    private readonly traceId: string | undefined,
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.emit('DEBUG', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.emit('INFO', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.emit('WARNING', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.emit('ERROR', message, fields);
  }

  with(more: LogContext): Logger {
    return new JsonLineLogger(
      this.options,
      more.labels ? { ...this.labels, ...more.labels } : this.labels,
      more.traceId ?? this.traceId,
    );
  }

  private emit(severity: Severity, message: string, fields?: LogFields): void {
    const { options } = this;
    const error = fields?.error;
    const entry: Record<string, unknown> = {
      severity,
      message:
        error instanceof Error && severity === 'ERROR'
          ? `${message}: ${error.stack ?? error.message}`
          : message,
      timestamp: options.now().toISOString(),
      component: options.component,
    };
    if (fields !== undefined) {
      // A plain loop: no rest-spread copy of the fields per line.
      for (const key in fields) {
        if (key !== 'content' && key !== 'error' && Object.hasOwn(fields, key)) {
          entry[key] = fields[key];
        }
      }
      if (error !== undefined) entry.error = describeError(error);
      if (fields.content !== undefined && options.logContent) entry.content = fields.content;
    }
    entry['logging.googleapis.com/labels'] = this.labelsField ??= {
      component: options.component,
      ...stringLabels(this.labels),
    };
    if (this.traceId) {
      entry['logging.googleapis.com/trace'] = traceResource(options.project, this.traceId);
    }
    options.write(safeStringify(entry));
  }
}

// ---------------------------------------------------------------------------------------------
// stdout

/**
 * Lines wait here for the end of the current turn of the event loop, then go to stdout together.
 * A request's log line then costs no system call on its way to the response, and under
 * concurrent requests several lines share one.
 *
 * - Never lost: every write completes before it returns (below), a pending flush keeps the event
 *   loop alive until it has run, and the buffer is written on `exit`, which Node emits on
 *   `process.exit()` (the framework's answer to SIGTERM and to an uncaught error) and when the
 *   loop runs dry. `process.stdout.write` cannot promise that: on a pipe (Cloud Run's stdout) it
 *   queues what the pipe cannot take at once, and `process.exit()` drops the queue.
 * - Never cut or interleaved: lines are only ever written whole, by writes that run to the end
 *   synchronously, so no other write of this process lands inside one; and a write holds at most
 *   PIPE_BUF bytes unless it is a single longer line, so even another process writing to the
 *   same pipe cannot land inside it.
 * - In order: one buffer, written first in, first out.
 */
const STDOUT = 1;
const PIPE_BUF = 4096;
let pending = '';
let pendingBytes = 0;
let flushScheduled = false;
let exitHooked = false;

/** Writes one JSON line to stdout with the guarantees above (also for lines not from a logger). */
export function writeStdoutLine(line: string): void {
  const text = line + '\n';
  const bytes = Buffer.byteLength(text);
  if (pendingBytes > 0 && pendingBytes + bytes > PIPE_BUF) writePending();
  pending += text;
  pendingBytes += bytes;
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', writePending);
  }
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushStdout);
  }
}

function flushStdout(): void {
  flushScheduled = false;
  writePending();
}

function writePending(): void {
  if (pendingBytes === 0) return;
  const chunk = Buffer.from(pending, 'utf8');
  pending = '';
  pendingBytes = 0;
  writeFully(STDOUT, chunk);
}

/**
 * Writes all of `chunk` before returning. Node leaves stdout non-blocking when it is a pipe, so
 * a full pipe (a slow reader) answers EAGAIN or takes part of the chunk: wait a millisecond and
 * write the rest, as pino's writer does. Blocking here is the price of never dropping a line.
 */
function writeFully(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.length) {
    try {
      offset += writeSync(fd, chunk, offset, chunk.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(PAUSE, 0, 0, 1);
    }
  }
}
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

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
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}

function safeStringify(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry);
  } catch {
    return JSON.stringify({ severity: entry.severity, message: String(entry.message) });
  }
}
