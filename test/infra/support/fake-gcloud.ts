import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const INFRA_DIR = path.join(REPO_ROOT, 'infra');

/** What the fake project holds before a run. */
export interface FakeState {
  projectNumber: string;
  /** Deployed functions: deployment name → run.app URL. */
  functions?: Record<string, string>;
  /** Existing resources by "GROUP|ID|COLLECTION-GROUP", with the flags they were created with. */
  resources?: Record<string, Record<string, string | true>>;
  /** Makes every `describe` fail with this error instead of answering (e.g. PERMISSION_DENIED). */
  failDescribe?: string;
}

export type Call = string[];

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The gcloud invocations of this run, in order. */
  calls: Call[];
}

/**
 * A directory holding a `gcloud` (gcloud-stand-in.sh), its call log and its state. Reuse one
 * across runs to model a project that keeps what earlier runs created.
 */
export class FakeGcloud {
  readonly dir: string;
  private readonly logFile: string;
  private readonly stateDir: string;

  constructor(state: FakeState) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-gcloud-'));
    this.logFile = path.join(this.dir, 'calls.jsonl');
    this.stateDir = path.join(this.dir, 'state');
    fs.mkdirSync(path.join(this.stateDir, 'resources'), { recursive: true });
    fs.mkdirSync(path.join(this.stateDir, 'functions'));
    fs.writeFileSync(path.join(this.stateDir, 'project-number'), state.projectNumber);
    if (state.failDescribe) {
      fs.writeFileSync(path.join(this.stateDir, 'fail-describe'), state.failDescribe);
    }
    this.deploy(state.functions ?? {});
    for (const [key, flags] of Object.entries(state.resources ?? {})) {
      const [group = '', id = ''] = key.split('|');
      const lines = Object.entries(flags).map(([k, v]) => (v === true ? `--${k}` : `--${k}=${v}`));
      fs.writeFileSync(
        path.join(this.stateDir, 'resources', key.replaceAll('/', '%2F')),
        [group, id, ...lines].join('\n') + '\n',
      );
    }
    fs.copyFileSync(path.join(__dirname, 'gcloud-stand-in.sh'), path.join(this.dir, 'gcloud'));
    fs.chmodSync(path.join(this.dir, 'gcloud'), 0o755);
  }

  /** Models functions being deployed between runs: deployment name → run.app URL. */
  deploy(functions: Record<string, string>): void {
    for (const [name, url] of Object.entries(functions)) {
      fs.writeFileSync(path.join(this.stateDir, 'functions', name), url);
    }
  }

  /** Runs infra/SCRIPT ARGS with this fake first on PATH and returns what it did. */
  script(script: string, args: string[] = [], env: Record<string, string> = {}): Run {
    return this.bash([path.join(INFRA_DIR, script), ...args], env);
  }

  /** Runs `bash ARGS…` with this fake first on PATH and returns what it did. */
  bash(args: string[], env: Record<string, string> = {}): Run {
    fs.writeFileSync(this.logFile, '');
    const result = spawnSync('bash', args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        // A clean environment: only what the scripts are documented to read.
        PATH: `${this.dir}:${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
        HOME: this.dir,
        FAKE_GCLOUD_LOG: this.logFile,
        FAKE_GCLOUD_STATE: this.stateDir,
        ...env,
      },
    });
    const calls = fs
      .readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => z.array(z.string()).parse(JSON.parse(line)));
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** True if the call is `gcloud WORDS… ` (positional words, in order, at the start). */
export function is(call: Call, ...words: string[]): boolean {
  return words.every((w, i) => call[i] === w);
}

/** The value of --NAME=VALUE (the last one if repeated), true for a bare --NAME, else undefined. */
export function flag(call: Call, name: string): string | true | undefined {
  let found: string | true | undefined;
  for (const arg of call) {
    if (arg === `--${name}`) found = true;
    else if (arg.startsWith(`--${name}=`)) found = arg.slice(name.length + 3);
  }
  return found;
}

/** Every value of a repeatable --NAME=VALUE. */
export function flags(call: Call, name: string): string[] {
  return call.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
}

/** Calls whose verb is `create` (resource creation), wherever the verb sits. */
export function creates(calls: Call[]): Call[] {
  return calls.filter((c) => c.includes('create') && !is(c, 'beta', 'services', 'identity'));
}

export function describeCall(call: Call): string {
  return `gcloud ${call.join(' ')}`;
}
