import { parseArgs } from 'node:util';
import { confirm, type Io } from './output';
import type { Clients } from './target';

/**
 * The command model of the operator toolkit: nouns, their verbs, options, help on every level,
 * and the exit codes scripts rely on (0 ok, 1 failed, 2 bad usage). Each noun's file declares
 * its verbs; `runOps` parses the command line once with node's `util.parseArgs` and runs one.
 */

/** The command line is wrong: exit 2, with a pointer to the help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly helpCommand = 'bm-ops --help',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command could not do what was asked; the message says why, plainly. Exit 1. */
export class OpsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpsError';
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Shown in help: `--brand B`. */
  placeholder?: string;
  multiple?: boolean;
  short?: string;
}

/** What a verb hands back: JSON for `--json`, text otherwise; exit 1 when `failed`. */
export interface Outcome {
  json: unknown;
  text: string;
  failed?: boolean;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** A string option's value, or undefined when not given. */
export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string option's values (none when not given). */
export function stringOptions(options: OptionValues, name: string): string[] {
  const value = options[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** A string option that must be given. */
export function requiredOption(options: OptionValues, name: string, help: string): string {
  const value = stringOption(options, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`, help);
  return value;
}

/** A positive integer option, or `fallback`. */
export function countOption(options: OptionValues, name: string, fallback: number): number {
  const value = stringOption(options, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  }
  return n;
}

export interface VerbContext {
  io: Io;
  /** Positional arguments after the verb. */
  args: string[];
  /** Option values by name (the verb's and the global ones). */
  options: OptionValues;
  json: boolean;
  dryRun: boolean;
  /** Clients of where the command acts (opened on first use, closed after the command). */
  clients(): Promise<Clients>;
  /** Asks before a destructive change, unless `--yes`; throws when the answer is no. */
  confirm(question: string): Promise<void>;
}

export interface Verb {
  name: string;
  summary: string;
  /** Positional arguments, e.g. `['FILE']`; a trailing `?` marks an optional one. */
  args?: readonly string[];
  options?: Record<string, OptionSpec>;
  /** Changes or removes what is stored: `--dry-run` and a confirmation unless `--yes`. */
  destructive?: boolean;
  /** Needs no Google Cloud project or emulator (validate, schema). */
  offline?: boolean;
  examples?: readonly string[];
  run(context: VerbContext): Promise<Outcome>;
}

export interface Noun {
  name: string;
  summary: string;
  verbs: readonly Verb[];
  /** The verb run when none is named (`stats`). */
  defaultVerb?: string;
}

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  project: {
    type: 'string',
    placeholder: 'P',
    description:
      'act on Google Cloud project P through Application Default Credentials (default: the local stack’s emulators)',
  },
  json: { type: 'boolean', description: 'print JSON for scripts instead of tables' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

const DESTRUCTIVE_OPTIONS: Record<string, OptionSpec> = {
  'dry-run': { type: 'boolean', description: 'show what would change, change nothing' },
  yes: { type: 'boolean', short: 'y', description: 'do not ask before changing anything' },
};

export const PROGRAM = 'bm-ops';

export function rootHelp(nouns: readonly Noun[]): string {
  const width = Math.max(...nouns.map((n) => n.name.length));
  return [
    `${PROGRAM}: the operator's toolkit of bm-pipeline`,
    '',
    `Usage: ${PROGRAM} <noun> <verb> [options]      (from the repository: npm run ops -- <noun> <verb> [options])`,
    '',
    'Nouns:',
    ...nouns.map(
      (n) =>
        `  ${n.name.padEnd(width)}  ${n.summary} (${n.defaultVerb ? 'no verb' : n.verbs.map((v) => v.name).join(', ')})`,
    ),
    '',
    'Options of every verb:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Where it acts: with --project P, on that Google Cloud project; otherwise on the Pub/Sub and',
    'Firestore emulators named by PUBSUB_EMULATOR_HOST and FIRESTORE_EMULATOR_HOST, or else on',
    'those of the local stack (npm start). If none answers it says so and does nothing.',
    '',
    'Exit codes: 0 ok, 1 failed, 2 bad usage.',
    `More: ${PROGRAM} <noun> --help, ${PROGRAM} <noun> <verb> --help`,
    '',
  ].join('\n');
}

export function nounHelp(noun: Noun): string {
  if (noun.defaultVerb) {
    const verb = noun.verbs.find((v) => v.name === noun.defaultVerb);
    if (verb) return verbHelp(noun, verb);
  }
  const width = Math.max(...noun.verbs.map((v) => v.name.length));
  return [
    `${PROGRAM} ${noun.name}: ${noun.summary}`,
    '',
    `Usage: ${PROGRAM} ${noun.name} <verb> [options]`,
    '',
    'Verbs:',
    ...noun.verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    `More: ${PROGRAM} ${noun.name} <verb> --help`,
    '',
  ].join('\n');
}

export function verbHelp(noun: Noun, verb: Verb): string {
  const words = noun.defaultVerb === verb.name ? [noun.name] : [noun.name, verb.name];
  const own = optionsOf(verb);
  const usage = [PROGRAM, ...words, ...(verb.args ?? []).map(argLabel), '[options]'].join(' ');
  return [
    `${PROGRAM} ${words.join(' ')}: ${verb.summary}`,
    '',
    `Usage: ${usage}`,
    '',
    'Options:',
    ...optionLines(own),
    ...(verb.examples?.length ? ['', 'Examples:', ...verb.examples.map((e) => `  ${e}`)] : []),
    '',
  ].join('\n');
}

function argLabel(arg: string): string {
  return arg.endsWith('?') ? `[${arg.slice(0, -1)}]` : arg;
}

function optionsOf(verb: Verb): Record<string, OptionSpec> {
  return {
    ...(verb.options ?? {}),
    ...(verb.destructive ? DESTRUCTIVE_OPTIONS : {}),
    ...(verb.offline ? { json: GLOBAL_OPTIONS.json!, help: GLOBAL_OPTIONS.help! } : GLOBAL_OPTIONS),
  };
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const label = ([name, o]: [string, OptionSpec]) =>
    `${o.short ? `-${o.short}, ` : '    '}--${name}${o.placeholder ? ` ${o.placeholder}` : ''}`;
  const entries = Object.entries(options);
  const width = Math.max(...entries.map((e) => label(e).length));
  return entries.map((e) => `  ${label(e).padEnd(width)}  ${e[1].description}`);
}

/** A command line, resolved to a verb (or to help). */
export type Parsed =
  { help: string } | { noun: Noun; verb: Verb; args: string[]; options: VerbContext['options'] };

/** Parses `argv` (without node and the script); throws `UsageError` for anything wrong. */
export function parseCommandLine(nouns: readonly Noun[], argv: readonly string[]): Parsed {
  const [nounName, ...rest] = argv;
  if (nounName === undefined || nounName === '--help' || nounName === '-h' || nounName === 'help') {
    return { help: rootHelp(nouns) };
  }
  const noun = nouns.find((n) => n.name === nounName);
  if (!noun) {
    throw new UsageError(
      `unknown noun "${nounName}"; one of: ${nouns.map((n) => n.name).join(', ')}`,
    );
  }
  const named = rest[0] !== undefined && !rest[0].startsWith('-');
  const verbName = named ? rest[0] : noun.defaultVerb;
  if (verbName === undefined) {
    if (rest.includes('--help') || rest.includes('-h') || rest.length === 0) {
      return { help: nounHelp(noun) };
    }
    throw new UsageError(`${noun.name} needs a verb`, `${PROGRAM} ${noun.name} --help`);
  }
  const verb = noun.verbs.find((v) => v.name === verbName);
  if (!verb) {
    throw new UsageError(
      `unknown verb "${verbName}" for ${noun.name}; one of: ${noun.verbs.map((v) => v.name).join(', ')}`,
      `${PROGRAM} ${noun.name} --help`,
    );
  }
  const helpCommand = `${PROGRAM} ${noun.name}${noun.defaultVerb ? '' : ` ${verb.name}`} --help`;
  const tokens = named ? rest.slice(1) : rest;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...tokens],
      options: Object.fromEntries(
        Object.entries(optionsOf(verb)).map(([name, o]) => [
          name,
          {
            type: o.type,
            ...(o.short ? { short: o.short } : {}),
            ...(o.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message, helpCommand);
  }
  if (parsed.values.help === true) return { help: verbHelp(noun, verb) };
  const expected = verb.args ?? [];
  const required = expected.filter((a) => !a.endsWith('?')).length;
  if (parsed.positionals.length < required || parsed.positionals.length > expected.length) {
    const missing = expected[parsed.positionals.length];
    throw new UsageError(
      parsed.positionals.length < required && missing
        ? `missing ${missing}`
        : `unexpected argument "${parsed.positionals[expected.length] ?? ''}"`,
      helpCommand,
    );
  }
  return { noun, verb, args: parsed.positionals, options: parsed.values };
}

/** The `--yes`/`--dry-run` behaviour shared by destructive verbs. */
export function confirmation(io: Io, options: VerbContext['options']) {
  return async (question: string): Promise<void> => {
    if (options.yes === true) return;
    if (!(await confirm(io, question))) throw new OpsError('not confirmed; nothing was changed');
  };
}
