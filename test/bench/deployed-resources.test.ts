import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  deployedResources,
  parseCpu,
  parseMemoryGiB,
} from '../../functions/local/bench/deployed-resources';

const step = (service: string, flags: string[]) => ({
  id: `deploy-${service}`,
  name: 'gcr.io/google.com/cloudsdktool/cloud-sdk:slim',
  entrypoint: 'bash',
  args: ['-c', 'exec gcloud "$$@"', 'gcloud', 'functions', 'deploy', service, '--gen2', ...flags],
});

const yaml = (steps: object[]) => JSON.stringify({ steps }); // JSON is YAML

describe('deployed resources from cloudbuild.yaml', () => {
  it('reads quantities as Cloud Run does, and refuses what it would have to guess', () => {
    expect(parseMemoryGiB('512Mi')).toBe(0.5);
    expect(parseMemoryGiB('2Gi')).toBe(2);
    expect(parseMemoryGiB('1G')).toBeCloseTo(1e9 / 2 ** 30, 12);
    expect(() => parseMemoryGiB('512MB')).toThrow();
    expect(() => parseMemoryGiB('512')).toThrow();
    expect(parseCpu('1')).toBe(1);
    expect(parseCpu('0.5')).toBe(0.5);
    expect(parseCpu('500m')).toBe(0.5);
    expect(() => parseCpu('one')).toThrow();
  });

  it('maps each entry point of the shared deployment to its vCPUs and memory', () => {
    const resources = deployedResources(
      yaml([
        { id: 'build', name: 'node', entrypoint: 'npm', args: ['run', 'build'] },
        step('live-agent', ['--entry-point=liveAgent', '--memory=1Gi', '--cpu=2']),
        step('sender-${_BRAND}', ['--entry-point=sender', '--memory=4Gi', '--cpu=4']),
        step('sender', ['--entry-point=sender', '--memory=256Mi', '--cpu=1']),
      ]),
    );
    expect(resources).toEqual({
      liveAgent: { service: 'live-agent', vCpu: 2, memoryGiB: 1 },
      sender: { service: 'sender', vCpu: 1, memoryGiB: 0.25 },
    });
  });

  it('does not assume a CPU gcloud would derive from the memory', () => {
    expect(() =>
      deployedResources(yaml([step('sender', ['--entry-point=sender', '--memory=512Mi'])])),
    ).toThrow(/--cpu/);
  });

  it('reads every function of the repository’s cloudbuild.yaml', () => {
    const text = readFileSync(path.join(__dirname, '../../cloudbuild.yaml'), 'utf8');
    const resources = deployedResources(text);
    expect(Object.keys(resources).sort()).toEqual(
      ['agentApi', 'automation', 'classifier', 'liveAgent', 'sender', 'webhook'].sort(),
    );
    for (const r of Object.values(resources)) {
      expect(r.vCpu).toBeGreaterThan(0);
      expect(r.memoryGiB).toBeGreaterThan(0);
    }
  });
});
