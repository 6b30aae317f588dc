#!/usr/bin/env node
import { agents } from './agents';
import { brands } from './brands';
import {
  confirmation,
  OpsError,
  parseCommandLine,
  UsageError,
  type Noun,
  type VerbContext,
} from './command';
import { conversations } from './conversations';
import { deadLetters } from './dead-letters';
import type { Io } from './output';
import { quarantine } from './quarantine';
import { stats } from './stats';
import { describeTarget, openClients, resolveTarget, type Clients } from './target';

/**
 * `bm-ops` (`npm run ops -- …`): the operator's toolkit. One noun per file; this file parses the
 * command line, decides where to act, runs the verb and turns the outcome into output and an
 * exit code: 0 ok, 1 failed, 2 bad usage.
 */

export const NOUNS: readonly Noun[] = [
  brands,
  agents,
  deadLetters,
  quarantine,
  conversations,
  stats,
];

export async function runOps(argv: readonly string[], io: Io): Promise<0 | 1 | 2> {
  let opened: Clients | undefined;
  let json = argv.includes('--json');
  try {
    const parsed = parseCommandLine(NOUNS, argv);
    if ('help' in parsed) {
      io.stdout.write(parsed.help);
      return 0;
    }
    const { verb, options } = parsed;
    json = options.json === true;
    const project = typeof options.project === 'string' ? options.project : undefined;
    const context: VerbContext = {
      io,
      args: parsed.args,
      options,
      json,
      dryRun: options['dry-run'] === true,
      clients: async () => {
        if (!opened) {
          const target = await resolveTarget(project, io.env);
          opened = openClients(target, io.env);
          // Always said, on stderr: an operator must never wonder which project was touched.
          io.stderr.write(`acting on ${describeTarget(target)}\n`);
        }
        return opened;
      },
      confirm: confirmation(io, options),
    };
    const outcome = await verb.run(context);
    io.stdout.write(json ? `${JSON.stringify(outcome.json, null, 2)}\n` : outcome.text);
    return outcome.failed ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`bm-ops: ${error.message}\nSee: ${error.helpCommand}\n`);
      if (json)
        io.stdout.write(
          `${JSON.stringify({ error: { code: 'usage', message: error.message } })}\n`,
        );
      return 2;
    }
    const message =
      error instanceof OpsError ? error.message : `unexpected failure: ${describeError(error)}`;
    io.stderr.write(`bm-ops: ${message}\n`);
    if (json) io.stdout.write(`${JSON.stringify({ error: { code: 'failed', message } })}\n`);
    return 1;
  } finally {
    await opened?.close().catch(() => undefined);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0] ?? ''}`;
  return String(error);
}

if (require.main === module) {
  void runOps(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
