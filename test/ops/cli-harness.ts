import { Readable } from 'node:stream';
import { runOps } from '../../functions/ops/main';

export interface CliRun {
  code: 0 | 1 | 2;
  stdout: string;
  stderr: string;
}

/**
 * Runs the operator toolkit in this process, as `bm-ops ARGV` would, with its own streams:
 * `input` is what a person types at its prompts.
 */
export async function cli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  input = '',
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runOps(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from([input]),
    env,
  });
  return { code, stdout, stderr };
}

/** The JSON a `--json` run printed. */
export function jsonOf<T = unknown>(run: CliRun): T {
  return JSON.parse(run.stdout) as T;
}

/** The environment of a command acting on the test emulators, in a project of its own. */
export function emulatorEnv(projectId: string): Record<string, string | undefined> {
  return {
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
    FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
    GOOGLE_CLOUD_PROJECT: projectId,
  };
}
