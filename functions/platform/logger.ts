import { writeSync } from 'node:fs';
import { isoTimestamp } from './iso-time';
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
 * functions. The end of its lines (labels and trace) is built once per logger, when it first
 * writes.
 */
class JsonLineLogger implements Logger {
  /** `,"logging.googleapis.com/labels":{…},"logging.googleapis.com/trace":"…"}` */
  private tail: string | undefined;

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

  /**
   * Writes the line `JSON.stringify` would make of the entry `{severity, message, timestamp,
   * component, ...fields, error?, content?, labels, trace?}`, the same text, but written member
   * by member: on Node 20, `JSON.stringify` of a whole entry was the larger part of a log line's
   * cost, and the webhook writes one per accepted event. A field whose name would land elsewhere
   * in that object (one of the entry's own names, or an array index, which objects order first)
   * takes the general path, `entryLine`; a value JSON cannot write gives the same fallback line.
   */
  private emit(severity: Severity, message: string, fields?: LogFields): void {
    const { options } = this;
    const error = fields?.error;
    const text =
      error instanceof Error && severity === 'ERROR'
        ? `${message}: ${error.stack ?? error.message}`
        : message;
    const timestamp = isoTimestamp(options.now());
    let line = `{"severity":"${severity}","message":${jsonString(text)},"timestamp":"${timestamp}","component":${jsonString(options.component)}`;
    if (fields !== undefined) {
      // A plain loop: no rest-spread copy of the fields per line.
      for (const key in fields) {
        if (key === 'content' || key === 'error' || !Object.hasOwn(fields, key)) continue;
        if (!isMemberName(key)) {
          options.write(this.entryLine(severity, text, timestamp, fields));
          return;
        }
        const member = jsonMember(key, fields[key]);
        if (member === undefined) {
          options.write(fallbackLine(severity, text));
          return;
        }
        line += member;
      }
      const errorMember = error === undefined ? '' : jsonMember('error', describeError(error));
      const contentMember =
        fields.content !== undefined && options.logContent
          ? jsonMember('content', fields.content)
          : '';
      if (errorMember === undefined || contentMember === undefined) {
        options.write(fallbackLine(severity, text));
        return;
      }
      line += errorMember + contentMember;
    }
    options.write(line + (this.tail ??= this.lineTail()));
  }

  private lineTail(): string {
    const { options, traceId } = this;
    const trace = traceId
      ? `,"logging.googleapis.com/trace":${jsonString(traceResource(options.project, traceId))}`
      : '';
    return `,"logging.googleapis.com/labels":${labelsJson(options.component, this.labels)}${trace}}`;
  }

  /** The line as `JSON.stringify` makes it of the whole entry: for fields `emit` does not write. */
  private entryLine(
    severity: Severity,
    text: string,
    timestamp: string,
    fields: LogFields,
  ): string {
    const { options } = this;
    const entry: Record<string, unknown> = {
      severity,
      message: text,
      timestamp,
      component: options.component,
    };
    for (const key in fields) {
      if (key !== 'content' && key !== 'error' && Object.hasOwn(fields, key)) {
        entry[key] = fields[key];
      }
    }
    if (fields.error !== undefined) entry.error = describeError(fields.error);
    if (fields.content !== undefined && options.logContent) entry.content = fields.content;
    entry['logging.googleapis.com/labels'] = labelsField(options.component, this.labels);
    if (this.traceId) {
      entry['logging.googleapis.com/trace'] = traceResource(options.project, this.traceId);
    }
    try {
      return JSON.stringify(entry);
    } catch {
      return fallbackLine(severity, text);
    }
  }
}

/** What is written when a line cannot be: its severity and message. */
const fallbackLine = (severity: Severity, text: string): string =>
  JSON.stringify({ severity, message: String(text) });

/** Characters `JSON.stringify` escapes in a string (surrogates: it escapes lone ones). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** `JSON.stringify(text)`: most of what a line holds (IDs, names, times) needs no escaping. */
const jsonString = (text: string): string =>
  NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;

/** The names a line's entry has of its own, and `__proto__`, which an assignment would not add. */
const ENTRY_NAMES = new Set([
  'severity',
  'message',
  'timestamp',
  'component',
  'error',
  'content',
  'logging.googleapis.com/labels',
  'logging.googleapis.com/trace',
  '__proto__',
]);

/** A name that lands where it is written in the entry: not its own, and not an array index. */
function isMemberName(name: string): boolean {
  const first = name.charCodeAt(0);
  return !(first >= 48 && first <= 57) && !ENTRY_NAMES.has(name);
}

/**
 * `,"name":value` as `JSON.stringify` writes a member of an object; '' for a value it leaves out
 * (undefined, a function, a symbol); undefined for one it cannot write (a bigint, a cycle).
 */
function jsonMember(name: string, value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return `,${jsonString(name)}:${jsonString(value)}`;
    case 'number':
      return `,${jsonString(name)}:${Number.isFinite(value) ? String(value) : 'null'}`;
    case 'boolean':
      return `,${jsonString(name)}:${String(value)}`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return '';
    default:
      try {
        // Inside an object, as in the entry: `toJSON` is called with the member's name.
        const text = JSON.stringify({ [name]: value });
        return text === '{}' ? '' : `,${text.slice(1, -1)}`;
      } catch {
        return undefined;
      }
  }
}

/** `JSON.stringify(labelsField(component, labels))`, written the same way as a line. */
function labelsJson(component: string, labels: LogLabels): string {
  let text = `{"component":${jsonString(component)}`;
  for (const name in labels) {
    const value = labels[name as keyof LogLabels];
    if (typeof value !== 'string') continue;
    if (!isMemberName(name)) return JSON.stringify(labelsField(component, labels));
    text += `,${jsonString(name)}:${jsonString(value)}`;
  }
  return `${text}}`;
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

/**
 * The entry's labels: the component and the labels that have a value (Cloud Logging takes string
 * labels only), in that order.
 */
function labelsField(component: string, labels: LogLabels): Record<string, string> {
  const kept: Record<string, string> = { component };
  for (const name in labels) {
    const value = labels[name as keyof LogLabels];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}
