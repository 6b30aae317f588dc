import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseBrandConfig } from '../../functions/core/brand-config';
import { brandJsonSchema } from '../../functions/ops/brands';
import { parseCommandLine, UsageError } from '../../functions/ops/command';
import { documentChanges } from '../../functions/ops/document-diff';
import { NOUNS } from '../../functions/ops/main';
import { startProgress, table } from '../../functions/ops/output';
import { parseWindow, percentile, summarize } from '../../functions/ops/stats';
import { velo } from './sample-brand';
import { cli, jsonOf } from './cli-harness';

const offline = { PUBSUB_EMULATOR_HOST: undefined, FIRESTORE_EMULATOR_HOST: undefined };

describe('the command line', () => {
  it.each([
    [[], 'Nouns:'],
    [['--help'], 'Exit codes: 0 ok, 1 failed, 2 bad usage.'],
    [['brands'], 'Verbs:'],
    [['dead-letters', '--help'], 'replay'],
    [['brands', 'push', '--help'], '--dry-run'],
    [['stats', '--help'], '--since 24h|7d'],
    [['conversations', 'erase', '-h'], '-y, --yes'],
  ])('help at every level: %j', async (argv, expected) => {
    const run = await cli(argv, offline);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(expected);
  });

  it.each([
    [['nope'], 'unknown noun "nope"'],
    [['brands', 'nope'], 'unknown verb "nope" for brands'],
    [['brands', 'validate'], 'missing FILE'],
    [['brands', 'validate', 'a', 'b'], 'unexpected argument "b"'],
    [['brands', 'list', '--bogus'], "Unknown option '--bogus'"],
    [['brands', 'list', '--dry-run'], "Unknown option '--dry-run'"],
    [['stats', '--brand', 'b'], '--since is required'],
    [['stats', '--brand', 'b', '--since', 'yesterday'], '--since must look like'],
    [['agents', 'add', '--id', 'x'], '--name is required'],
  ])('bad usage exits 2 and points to the help: %j', async (argv, message) => {
    const run = await cli(argv, offline);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toMatch(/See: bm-ops .*--help/);
  });

  it('options are parsed with their verb; destructive verbs take --dry-run and --yes', () => {
    const parsed = parseCommandLine(NOUNS, [
      'dead-letters',
      'replay',
      '--filter',
      'brand=a',
      '--filter',
      'kind=text',
      '--yes',
    ]);
    expect(parsed).toMatchObject({
      verb: { name: 'replay' },
      options: { filter: ['brand=a', 'kind=text'], yes: true },
    });
    expect(() => parseCommandLine(NOUNS, ['brands', 'pull'])).toThrow(UsageError);
  });

  it('tables align their columns under a rule', () => {
    expect(
      table(
        ['a', 'long header'],
        [
          ['value', 'x'],
          ['v', 'yy'],
        ],
      ),
    ).toBe('a      long header\n─────  ───────────\nvalue  x\nv      yy\n');
    expect(table(['a'], [])).toBe('(none)\n');
  });
});

describe('brands validate and schema (no project needed)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bm-ops-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('a valid file', async () => {
    const file = write('ok.json', JSON.stringify(velo()));
    const run = await cli(['brands', 'validate', file, '--json'], offline);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toEqual({ file, valid: true, brandId: 'velo-cafe' });
  });

  it('each error names its field path; exit 1', async () => {
    const brand = velo();
    (brand.intents as { id: string }[])[0]!.id = 'Not An Id';
    delete brand.defaultLocale;
    const file = write('bad.json', JSON.stringify(brand));
    const run = await cli(['brands', 'validate', file], offline);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('is not a valid brand configuration');
    expect(run.stdout).toMatch(/- intents\[0\]\.id: /);
    expect(run.stdout).toMatch(/- defaultLocale: /);
  });

  it('a file that is not JSON, or not there: a clear error', async () => {
    const file = write('broken.json', '{"brandId": "x",');
    expect(await cli(['brands', 'validate', file], offline)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is not JSON: invalid JSON (SyntaxError'),
    });
    expect(
      await cli(['brands', 'validate', path.join(dir, 'missing.json')], offline),
    ).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('cannot read'),
    });
  });

  it('the JSON Schema comes from the functions’ BrandConfig', async () => {
    const run = await cli(['brands', 'schema'], offline);
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout) as {
      $schema: string;
      required: string[];
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(schema).toEqual(brandJsonSchema());
    expect(schema.$schema).toContain('json-schema.org');
    expect(schema.required).toEqual(expect.arrayContaining(['brandId', 'intents', 'fallback']));
    expect(schema.additionalProperties).toBe(false);
    // Every top-level field of a valid brand is described.
    const parsed = parseBrandConfig(velo());
    expect(parsed.ok).toBe(true);
    for (const key of Object.keys(velo())) expect(schema.properties).toHaveProperty([key]);
    // A reply is the Business Messages message schema, without what the bot sets.
    const { Reply } = (schema as unknown as { $defs: Record<string, { properties: object }> })
      .$defs;
    expect(Object.keys(Reply?.properties ?? {})).toEqual(
      expect.arrayContaining(['text', 'richCard', 'suggestions', 'fallback']),
    );
    expect(Reply?.properties).not.toHaveProperty('messageId');
    expect(Reply?.properties).not.toHaveProperty('representative');
    expect(schema.properties.fallback).toMatchObject({
      additionalProperties: { $ref: '#/$defs/Reply' },
    });
  });
});

describe('document changes', () => {
  it('names changed, added and removed leaves by path', () => {
    expect(
      documentChanges(
        { a: 1, intents: [{ id: 'x', t: 'a' }], gone: true },
        { a: 1, intents: [{ id: 'x', t: 'b' }, { id: 'y' }], added: { deep: 1 } },
      ),
    ).toEqual([
      { path: 'added', change: 'added' },
      { path: 'gone', change: 'removed' },
      { path: 'intents[0].t', change: 'changed' },
      { path: 'intents[1]', change: 'added' },
    ]);
    expect(documentChanges(undefined, { a: 1 })).toEqual([{ path: '(document)', change: 'added' }]);
    expect(documentChanges({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });
});

describe('stats arithmetic', () => {
  it('windows', () => {
    expect(parseWindow('24h')).toBe(86_400_000);
    expect(parseWindow('7d')).toBe(604_800_000);
    expect(parseWindow('30m')).toBe(1_800_000);
    expect(() => parseWindow('0h')).toThrow(UsageError);
    expect(() => parseWindow('1w')).toThrow(UsageError);
  });

  it('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });

  it('summarize', () => {
    const since = new Date('2026-11-25T00:00:00Z');
    const stats = summarize(
      'b',
      { since, until: new Date('2026-11-26T00:00:00Z') },
      { active: 3, created: 2, handedOff: 1 },
      [
        {
          conversationId: 'a',
          customerMessages: 2,
          botReplies: 2,
          humanReplies: 0,
          surveyRatings: [],
        },
        {
          conversationId: 'b',
          customerMessages: 3,
          botReplies: 1,
          humanReplies: 2,
          queuedAt: '2026-11-25T10:00:00.000Z',
          firstHumanAt: '2026-11-25T10:01:00.000Z',
          firstHumanMessageAt: '2026-11-25T10:01:30.000Z',
          surveyRatings: ['VERY_SATISFIED', 'SOMEWHAT_DISSATISFIED', 'SURVEY_RATING_UNSPECIFIED'],
        },
        {
          conversationId: 'c',
          customerMessages: 0,
          botReplies: 0,
          humanReplies: 0,
          surveyRatings: [],
        },
      ],
    );
    expect(stats).toEqual({
      brandId: 'b',
      since: '2026-11-25T00:00:00.000Z',
      until: '2026-11-26T00:00:00.000Z',
      conversations: { active: 3, created: 2 },
      customerMessages: 5,
      replies: { bot: 3, human: 2 },
      botAloneShare: 0.5,
      handoffs: 1,
      queueWait: { count: 1, medianMs: 60_000, p90Ms: 60_000 },
      firstHumanResponse: { count: 1, medianMs: 90_000, p90Ms: 90_000 },
      surveys: { answered: 2, averageScore: 3.5 },
    });
  });
});

describe('progress', () => {
  const capture = (isTTY: boolean) => {
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t), isTTY },
      stdin: process.stdin,
      env: {},
    };
    return { io, text: () => stderr };
  };

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('nothing for what takes less than a second', () => {
    const { io, text } = capture(false);
    const progress = startProgress(io, 'reading');
    jest.advanceTimersByTime(900);
    progress.done();
    expect(text()).toBe('');
  });

  it('a line once it takes longer, and one at the end', () => {
    const { io, text } = capture(false);
    const progress = startProgress(io, 'replaying');
    progress.update('3 of 10');
    jest.advanceTimersByTime(1000);
    expect(text()).toBe('replaying: 3 of 10 …\n');
    progress.update('10 of 10');
    progress.done();
    expect(text()).toMatch(/^replaying: 3 of 10 …\nreplaying: 10 of 10, \d+\.\d s\n$/);
  });

  it('on a terminal, one line rewritten in place', () => {
    const { io, text } = capture(true);
    const progress = startProgress(io, 'erasing');
    jest.advanceTimersByTime(1000);
    progress.update('messages');
    progress.done();
    expect(text().split('\r\x1b[K')).toEqual([
      '',
      'erasing …',
      'erasing: messages …',
      expect.stringMatching(/^erasing: messages, \d+\.\d s\n$/),
    ]);
  });
});
