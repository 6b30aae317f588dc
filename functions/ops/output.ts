import { createInterface } from 'node:readline';

/**
 * How the operator toolkit talks to a person or a script: aligned tables (or JSON) on stdout,
 * progress and questions on stderr, answers from stdin. Everything goes through `Io`, so tests
 * run the real commands with streams of their own.
 */

export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
}

/** Rows under a header, each column as wide as its widest cell, with a rule under the header. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)\n';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)]
    .map((l) => `${l}\n`)
    .join('');
}

/** `key: value` lines, keys aligned. */
export function fields(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}\n`).join('');
}

/** A value cut to `max` characters for a table cell, on one line. */
export function cell(value: string | undefined, max = 60): string {
  const flat = (value ?? '').replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface Progress {
  /** What is being done now, e.g. `12 messages pulled`. */
  update(text: string): void;
  /** Finished: if a line was shown, it says how long it took. */
  done(): void;
}

/** The wait before a progress line appears: anything quicker shows none. */
const PROGRESS_AFTER_MS = 1000;

/**
 * A progress line on stderr for anything that takes more than a second: on a terminal one line
 * rewritten in place, otherwise one line when it starts showing and one at the end.
 */
export function startProgress(io: Io, label: string): Progress {
  const started = Date.now();
  let latest = '';
  let shown = false;
  const tty = io.stderr.isTTY === true;
  const show = () => {
    const text = `${label}${latest ? `: ${latest}` : ''} …`;
    io.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
    shown = true;
  };
  const timer = setTimeout(show, PROGRESS_AFTER_MS);
  timer.unref();
  return {
    update(text) {
      latest = text;
      if (shown && tty) show();
    },
    done() {
      clearTimeout(timer);
      if (!shown) return;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const end = `${label}${latest ? `: ${latest}` : ''}, ${seconds} s\n`;
      io.stderr.write(tty ? `\r\x1b[K${end}` : end);
    },
  };
}

/** Runs `work` with a progress line that it may update. */
export async function withProgress<T>(
  io: Io,
  label: string,
  work: (progress: Progress) => Promise<T>,
): Promise<T> {
  const progress = startProgress(io, label);
  try {
    return await work(progress);
  } finally {
    progress.done();
  }
}

/** Asks a yes/no question on stderr; only `y` or `yes` is a yes, and no answer is a no. */
export async function confirm(io: Io, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  io.stderr.write(`${question} [y/N] `);
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
