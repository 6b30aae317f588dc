import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';
import { REPO_ROOT } from './fake-gcloud';

const Step = z.object({
  id: z.string(),
  name: z.string(),
  entrypoint: z.string().optional(),
  args: z.array(z.string()).default([]),
  env: z.array(z.string()).default([]),
  waitFor: z.array(z.string()).optional(),
  volumes: z.array(z.object({ name: z.string(), path: z.string() })).optional(),
});
export type Step = z.infer<typeof Step>;

const CloudBuild = z.object({
  substitutions: z.record(z.string(), z.string()),
  options: z.record(z.string(), z.unknown()).optional(),
  timeout: z.string().optional(),
  steps: z.array(Step),
});
export type CloudBuild = z.infer<typeof CloudBuild>;

export const CLOUDBUILD_FILE = path.join(REPO_ROOT, 'cloudbuild.yaml');

export function loadCloudBuild(): CloudBuild {
  return CloudBuild.parse(parse(fs.readFileSync(CLOUDBUILD_FILE, 'utf8')));
}

/** Substitutions Cloud Build itself provides (some empty outside triggered builds). */
export const BUILT_IN = {
  PROJECT_ID: 'test-proj',
  PROJECT_NUMBER: '123456789012',
  BUILD_ID: '0f0e0d0c-0b0a-4909-8807-060504030201',
  LOCATION: 'europe-west1',
  COMMIT_SHA: '',
  SHORT_SHA: '',
  REVISION_ID: '',
  BRANCH_NAME: '',
  TAG_NAME: '',
  REPO_NAME: '',
  REPO_FULL_NAME: '',
  TRIGGER_NAME: '',
  TRIGGER_BUILD_CONFIG_PATH: '',
  SERVICE_ACCOUNT_EMAIL: '',
  SERVICE_ACCOUNT: '',
  REF_NAME: '',
} as const;

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Every substitution a string refers to ($$ is an escaped dollar, not a reference). */
export function references(text: string): string[] {
  return [...text.matchAll(REFERENCE)].flatMap((m) => {
    const name = m[1] ?? m[2];
    return name ? [name] : [];
  });
}

/** Cloud Build's substitution of one string; an unknown reference throws, as a build would fail. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(REFERENCE, (whole, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`unknown substitution ${whole} in: ${text}`);
    return value;
  });
}

/** The build's substitution values: built-ins, the file's defaults, then overrides. */
export function substitutionValues(
  build: CloudBuild,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return { ...BUILT_IN, ...build.substitutions, ...overrides };
}

/** A step after substitution: its args, and its env as an object. */
export function resolveStep(step: Step, values: Record<string, string>) {
  return {
    ...step,
    args: step.args.map((a) => substitute(a, values)),
    env: Object.fromEntries(
      step.env.map((e) => {
        const resolved = substitute(e, values);
        const at = resolved.indexOf('=');
        return [resolved.slice(0, at), resolved.slice(at + 1)];
      }),
    ),
  };
}

/**
 * The gcloud argument list of a deploy step: steps run `bash -c SCRIPT gcloud ARGS…`, where the
 * script only decides whether to run and then execs `gcloud ARGS…`.
 */
export function gcloudArgs(step: Step): string[] | undefined {
  if (step.entrypoint !== 'bash' || step.args[0] !== '-c' || step.args[2] !== 'gcloud') {
    return undefined;
  }
  return step.args.slice(3);
}

export function deploySteps(build: CloudBuild): { step: Step; args: string[] }[] {
  return build.steps.flatMap((step) => {
    const args = gcloudArgs(step);
    return args && args[0] === 'functions' && args[1] === 'deploy' ? [{ step, args }] : [];
  });
}
