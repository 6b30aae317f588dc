/**
 * How the local stack prints its functions' output. Cloud Logging wants one JSON object per line;
 * a person at a terminal wants one short line per event. `brief` keeps what matters to a person
 * (time, function, severity, message, conversation) and drops functions-framework's start-up
 * banner, which says nothing the ready line doesn't.
 */
export type LogMode = 'brief' | 'verbose' | 'quiet';

const BANNER = /^(Serving function\.\.\.|Function: |Signature type: |URL: )/;

interface JsonLine {
  severity?: unknown;
  message?: unknown;
  timestamp?: unknown;
  component?: unknown;
  'logging.googleapis.com/labels'?: { conversationId?: unknown };
}

/** The line to print for one output line of `source` (a function's name), or undefined. */
export function formatLogLine(mode: LogMode, source: string, line: string): string | undefined {
  const trimmed = line.trimEnd();
  if (mode === 'quiet' || trimmed === '') return undefined;
  if (mode === 'verbose') return `[${source}] ${trimmed}`;
  if (BANNER.test(trimmed)) return undefined;
  let parsed: JsonLine | undefined;
  if (trimmed.startsWith('{')) {
    try {
      parsed = JSON.parse(trimmed) as JsonLine;
    } catch {
      parsed = undefined;
    }
  }
  if (!parsed) return `${clock(new Date())} ${source.padEnd(10)} ${trimmed}`;
  const at = typeof parsed.timestamp === 'string' ? new Date(parsed.timestamp) : new Date();
  const severity = typeof parsed.severity === 'string' ? parsed.severity : 'DEFAULT';
  const message = typeof parsed.message === 'string' ? parsed.message : '';
  const conversation = parsed['logging.googleapis.com/labels']?.conversationId;
  const name = typeof parsed.component === 'string' ? parsed.component : source;
  return [
    clock(at),
    name.padEnd(10),
    severity.padEnd(7),
    message,
    ...(typeof conversation === 'string' ? [`(conversation ${conversation})`] : []),
  ].join(' ');
}

const clock = (at: Date): string =>
  Number.isNaN(at.getTime()) ? '--:--:--' : at.toISOString().slice(11, 19);
