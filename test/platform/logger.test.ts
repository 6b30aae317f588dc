import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../functions/platform/logger';

const FIXED = new Date('2026-11-25T12:00:00.000Z');

describe('createLogger: the lines Cloud Logging reads', () => {
  const capture = (logContent = false) => {
    const lines: string[] = [];
    const log = createLogger({
      project: 'p',
      component: 'webhook',
      logContent,
      now: () => FIXED,
      write: (line) => lines.push(line),
    });
    const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    return { log, lines, entries };
  };

  it('writes severity, message, time, labels and trace; content only when configured', () => {
    for (const logContent of [false, true]) {
      const { log, entries } = capture(logContent);
      log
        .with({ traceId: 'a'.repeat(32) })
        .with({ labels: { conversationId: 'c-1', brandId: undefined } })
        .info('accepted text event', {
          event: 'event_accepted',
          kind: 'text',
          content: { text: 'hello' },
        });
      expect(entries()).toEqual([
        {
          severity: 'INFO',
          message: 'accepted text event',
          timestamp: FIXED.toISOString(),
          component: 'webhook',
          event: 'event_accepted',
          kind: 'text',
          ...(logContent ? { content: { text: 'hello' } } : {}),
          'logging.googleapis.com/labels': { component: 'webhook', conversationId: 'c-1' },
          'logging.googleapis.com/trace': `projects/p/traces/${'a'.repeat(32)}`,
        },
      ]);
    }
  });

  it('describes errors; an ERROR line carries the stack for Error Reporting', () => {
    const { log, entries } = capture();
    const error = Object.assign(new Error('boom'), { retryable: true });
    log.error('publish failed', { error });
    log.warn('odd', { error: 'text' });
    const [first, second] = entries();
    expect(first).toMatchObject({
      severity: 'ERROR',
      message: expect.stringMatching(/^publish failed: Error: boom\n\s+at /),
      error: { name: 'Error', message: 'boom', retryable: true },
    });
    expect(second).toMatchObject({
      severity: 'WARNING',
      message: 'odd',
      error: { message: 'text' },
    });
  });

  // The logger writes its lines member by member (cheaper than JSON.stringify of an object on
  // Node 20); this holds it to what JSON.stringify writes of the entry, whatever the fields.
  it('writes, whatever the fields, exactly what JSON.stringify writes of the entry', () => {
    const entryLine = (
      severity: string,
      message: string,
      fields: Record<string, unknown>,
      labels: Record<string, unknown>,
      logContent: boolean,
    ): string => {
      const error = fields.error;
      const text =
        error instanceof Error && severity === 'ERROR'
          ? `${message}: ${error.stack ?? error.message}`
          : message;
      const entry: Record<string, unknown> = {
        severity,
        message: text,
        timestamp: FIXED.toISOString(),
        component: 'webhook',
      };
      for (const key in fields) {
        if (key !== 'content' && key !== 'error' && Object.hasOwn(fields, key)) {
          entry[key] = fields[key];
        }
      }
      if (error instanceof Error) {
        const { retryable } = error as { retryable?: unknown };
        entry.error = {
          name: error.name,
          message: error.message,
          ...(typeof retryable === 'boolean' ? { retryable } : {}),
        };
      } else if (typeof error === 'string') {
        entry.error = { message: error };
      }
      if (fields.content !== undefined && logContent) entry.content = fields.content;
      const kept: Record<string, unknown> = { component: 'webhook' };
      for (const [name, value] of Object.entries(labels)) {
        if (typeof value === 'string') kept[name] = value;
      }
      entry['logging.googleapis.com/labels'] = kept;
      entry['logging.googleapis.com/trace'] = `projects/p/traces/${'c'.repeat(32)}`;
      try {
        return JSON.stringify(entry);
      } catch {
        return JSON.stringify({ severity, message: text });
      }
    };
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const values: unknown[] = [
      'plain',
      '',
      'quote " backslash \\ newline \n tab \t nul \u0000 del \u007f',
      'ünïcödé 中文 😀 and a lone \ud83d surrogate',
      '\u2028\u2029',
      0,
      -0,
      1.5e300,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      false,
      null,
      undefined,
      () => 1,
      Symbol('s'),
      [1, 'two', undefined, { three: 3 }],
      { nested: { deep: ['x'] }, skipped: undefined },
      new Date(FIXED),
      { toJSON: (name: string) => `toJSON(${name})` },
      BigInt(1),
      cycle,
    ];
    const errors: unknown[] = [
      ...values.filter((v): v is string => typeof v === 'string'),
      new Error('boom "quoted"'),
      Object.assign(new TypeError('bad\ninput'), { retryable: false }),
    ];
    const names = [
      'event',
      'kind',
      'status',
      'a b',
      'quote"d',
      '0',
      '12',
      'message',
      'component',
      '__proto__',
      'logging.googleapis.com/trace',
      'content',
      'error',
    ];
    let seed = 7;
    const pick = <T>(items: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return items[seed % items.length] as T;
    };
    for (let i = 0; i < 3000; i++) {
      const fields: Record<string, unknown> = {};
      const count = i % 5;
      for (let f = 0; f < count; f++) {
        Object.defineProperty(fields, pick(names), {
          value: pick(values),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      // What `error` may be: a text, or an Error (whose stack an ERROR line carries).
      if (fields.error !== undefined) fields.error = pick(errors);
      const labels: Record<string, unknown> = { conversationId: 'c-1' };
      if (i % 7 === 0) labels.brandId = pick(values);
      if (i % 11 === 0) labels[pick(names)] = pick(values);
      const message = pick(values);
      const text = typeof message === 'string' ? message : 'fixed';
      const logContent = i % 2 === 0;
      const { log, lines } = capture(logContent);
      const logger = log.with({ traceId: 'c'.repeat(32), labels });
      if (i % 3 === 0) logger.error(text, fields);
      else logger.warn(text, fields);
      const severity = i % 3 === 0 ? 'ERROR' : 'WARNING';
      expect(lines).toEqual([entryLine(severity, text, fields, labels, logContent)]);
    }
  });

  it('a logger made by `with` keeps its parent unchanged', () => {
    const { log, entries } = capture();
    log.with({ traceId: 'b'.repeat(32), labels: { brandId: 'velo' } });
    log.info('plain');
    expect(entries()[0]).not.toHaveProperty('logging.googleapis.com/trace');
    expect(entries()[0]?.['logging.googleapis.com/labels']).toEqual({ component: 'webhook' });
  });
});

// The stdout writer, in a process of its own (its stdout a pipe, as on Cloud Run, which the
// 1.6 MB written here fills): lines are buffered per turn of the event loop, so these check that
// none is lost, cut or reordered, whichever way the process ends. It runs the compiled logger
// (`npm test` builds first).
const compiled = path.resolve(__dirname, '../../dist/functions/platform/logger.js');
const describeCompiled = existsSync(compiled) ? describe : describe.skip;

describeCompiled('createLogger on stdout: buffered, never lost, cut or interleaved', () => {
  const run = (ending: string) => {
    const script = `
      const { createLogger } = require(${JSON.stringify(compiled)});
      const log = createLogger({ project: 'p', component: 'c', logContent: false });
      // Every chunk the logger writes (a full pipe may take one in parts: those are joined).
      const fs = require('node:fs');
      const chunks = [];
      let partial = false;
      const writeSync = fs.writeSync;
      fs.writeSync = (fd, buffer, offset, length) => {
        const written = writeSync(fd, buffer, offset, length);
        if (fd === 1) {
          const text = buffer.toString('utf8', offset, offset + written);
          if (partial) chunks[chunks.length - 1] += text;
          else chunks.push(text);
          partial = written < length;
        }
        return written;
      };
      process.stdout; // as the framework does: Node then makes fd 1 non-blocking
      // 200 "requests" interleaved over turns of the event loop, 10 lines each, some long.
      let pending = 200;
      for (let r = 0; r < 200; r++) {
        (async () => {
          for (let i = 0; i < 10; i++) {
            log.info('line', { r, i, pad: 'x'.repeat(i === 9 ? 5000 : (r * 7) % 300) });
            if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
          if (--pending === 0) { ${ending} }
        })();
      }
      // After the logger's own exit hook (set by the first line), so its last write is seen.
      process.on('exit', () => process.stderr.write('CHUNKS' + JSON.stringify(chunks.map((c) => [Buffer.byteLength(c), c.split('\\n').length - 1, c.endsWith('\\n')])) + 'END'));
    `;
    const child = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = child.stdout.split('\n');
    expect(lines.pop()).toBe(''); // the output ends with a whole line
    const entries = lines.map((l) => JSON.parse(l) as { r: number; i: number });
    const marker = child.stderr.lastIndexOf('CHUNKS');
    const end = child.stderr.indexOf('END', marker);
    const chunks = JSON.parse(child.stderr.slice(marker + 'CHUNKS'.length, end)) as [
      bytes: number,
      lines: number,
      whole: boolean,
    ][];
    return { entries, chunks, status: child.status };
  };

  it.each([
    ['the event loop runs dry', ''],
    ['process.exit() (what the framework does on SIGTERM)', 'process.exit(0);'],
    ['an uncaught exception', "setImmediate(() => { throw new Error('crash'); });"],
  ])('every line arrives whole and in order when %s', (_name, ending) => {
    const { entries, chunks } = run(ending);
    expect(entries).toHaveLength(2000);
    for (let r = 0; r < 200; r++) {
      expect(entries.filter((e) => e.r === r).map((e) => e.i)).toEqual([...Array(10).keys()]);
    }
    // Fewer writes than lines, each of whole lines, none above PIPE_BUF unless a single line.
    expect(chunks.length).toBeLessThan(2000);
    for (const [bytes, lines, whole] of chunks) {
      expect(whole).toBe(true);
      if (bytes > 4096) expect(lines).toBe(1);
    }
  });
});
