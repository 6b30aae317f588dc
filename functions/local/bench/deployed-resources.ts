import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';

/**
 * What each function is deployed with (vCPUs and memory), read from cloudbuild.yaml so the
 * cost model prices instance time at the deployed size and follows it when it changes.
 * Deploy steps run `bash -c SCRIPT gcloud functions deploy NAME --flag=value…`.
 */
export interface DeployedResources {
  /** The deployed function (service) name, e.g. `live-agent`. */
  service: string;
  vCpu: number;
  memoryGiB: number;
}

const Build = z.object({
  steps: z.array(
    z.object({
      id: z.string(),
      entrypoint: z.string().optional(),
      args: z.array(z.string()).default([]),
    }),
  ),
});

/** Kubernetes-style quantities, as Cloud Run takes them: binary Ki/Mi/Gi/Ti, decimal k/M/G/T. */
const MEMORY_UNITS: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

export function parseMemoryGiB(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)$/.exec(value);
  const factor = m ? MEMORY_UNITS[m[2] ?? ''] : undefined;
  // No unit, or MB/GB (whose meaning gcloud has changed over time): refused rather than guessed.
  if (!m || factor === undefined) throw new Error(`memory "${value}": not a quantity read here`);
  return (Number(m[1]) * factor) / 2 ** 30;
}

export function parseCpu(value: string): number {
  const milli = /^(\d+)m$/.exec(value);
  if (milli) return Number(milli[1]) / 1000;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  throw new Error(`cpu "${value}": not a number of vCPUs`);
}

/**
 * Resources by entry point (the function's target, e.g. `liveAgent`), from the shared
 * deployment's steps; a brand's steps (named with `${_BRAND}`) deploy the same entry points.
 */
export function deployedResources(yamlText: string): Record<string, DeployedResources> {
  const build = Build.parse(parse(yamlText));
  const result: Record<string, DeployedResources> = {};
  for (const step of build.steps) {
    if (step.entrypoint !== 'bash' || step.args[0] !== '-c' || step.args[2] !== 'gcloud') continue;
    const [, , , group, verb, service, ...flags] = step.args;
    if (group !== 'functions' || verb !== 'deploy' || !service || service.includes('${')) continue;
    const flag = (name: string) =>
      flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3);
    const entryPoint = flag('entry-point');
    const memory = flag('memory');
    const cpu = flag('cpu');
    // Without --cpu gcloud derives the CPU from the memory: not assumed here.
    if (!entryPoint || !memory || !cpu) {
      throw new Error(`step ${step.id}: --entry-point, --memory and --cpu are all needed`);
    }
    result[entryPoint] = { service, vCpu: parseCpu(cpu), memoryGiB: parseMemoryGiB(memory) };
  }
  return result;
}

export const loadDeployedResources = (root: string) =>
  deployedResources(readFileSync(path.join(root, 'cloudbuild.yaml'), 'utf8'));
