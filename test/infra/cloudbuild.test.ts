import fs from 'node:fs';
import path from 'node:path';
import {
  BUILT_IN,
  deploySteps,
  gcloudArgs,
  loadCloudBuild,
  references,
  resolveStep,
  substitutionValues,
  type CloudBuild,
  type Step,
} from './support/cloudbuild';
import { FakeGcloud, REPO_ROOT, flag, flags, is, type Call } from './support/fake-gcloud';
import { CONTRACT_FUNCTIONS, deploymentName } from './support/function-targets';

/**
 * cloudbuild.yaml against the product's function table: every function deployed exactly once,
 * with its entry point, trigger, runtime, identity and exposure; brand builds deploying only the
 * brand's pair; the build's checks running before any deploy.
 */

jest.setTimeout(30_000);

const build: CloudBuild = loadCloudBuild();
const stepById = (id: string): Step => {
  const step = build.steps.find((s) => s.id === id);
  if (!step) throw new Error(`cloudbuild.yaml has no step "${id}"`);
  return step;
};
const script = (step: Step): string => step.args.join(' ');

const PASSING = {
  _PARTNER_KEY_VERSION: '3',
  _CLIENT_TOKEN_VERSION: '1',
  _IAP_AUDIENCE: '/projects/123456789012/global/backendServices/4242',
};

/** The shared deploy steps: the ones whose gcloud command does not name a brand deployment. */
const shared = deploySteps(build).filter(({ args }) => !(args[2] ?? '').includes('${_BRAND}'));
const brand = deploySteps(build).filter(({ args }) => (args[2] ?? '').includes('${_BRAND}'));

describe('cloudbuild.yaml checks before it deploys', () => {
  it('installs with npm ci and runs lint, typecheck, unit and emulator tests, then builds', () => {
    expect(stepById('install').args).toEqual(['ci']);
    expect(stepById('install').entrypoint).toBe('npm');
    expect(stepById('lint').args).toEqual(['run', 'lint']);
    expect(stepById('typecheck').args).toEqual(['run', 'typecheck']);
    expect(script(stepById('unit-tests'))).toContain('npx jest --selectProjects unit');
    expect(stepById('unit-tests').env).toContain('CI=true');
    expect(script(stepById('build'))).toBe('run build');
    for (const id of ['install', 'lint', 'typecheck', 'unit-tests', 'build']) {
      expect(stepById(id).name).toMatch(/^node:22\b/);
    }
  });

  it('runs the emulator tests in the emulators image with Node 22 staged from node:22', () => {
    const tests = stepById('emulator-tests');
    expect(tests.name).toBe('gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators');
    expect(script(tests)).toMatch(/npm test$/);
    expect(tests.env).toContain('CI=true');
    expect(script(tests)).toContain('apt-get -qq install -y shellcheck');
    const stage = stepById('stage-node');
    expect(stage.name).toMatch(/^node:22\b/);
    const volume = stage.volumes?.[0];
    expect(volume).toBeDefined();
    expect(tests.volumes).toContainEqual(volume);
    expect(script(tests)).toContain(`${volume?.path}/bin`);
    expect(tests.waitFor).toEqual(expect.arrayContaining(['install', 'stage-node']));
  });

  it('builds only after validation and every check passed', () => {
    expect(stepById('build').waitFor).toEqual(
      expect.arrayContaining(['validate', 'lint', 'typecheck', 'unit-tests', 'emulator-tests']),
    );
    expect(stepById('validate').args).toEqual(['infra/validate-build.sh']);
  });

  it('deploys in parallel once the build step is done', () => {
    expect(deploySteps(build).length).toBeGreaterThan(0);
    for (const { step } of deploySteps(build)) expect(step.waitFor).toEqual(['build']);
  });
});

describe('cloudbuild.yaml deploys every function of the contract', () => {
  it.each(CONTRACT_FUNCTIONS.map((f) => [f.target, f] as const))(
    '%s: exactly once, gen2 nodejs22, its entry point and its own service account',
    (target) => {
      const steps = shared.filter(({ args }) => flag(args, 'entry-point') === target);
      expect(steps).toHaveLength(1);
      const { step, args } = steps[0] ?? { step: undefined, args: [] };
      const name = deploymentName(target);
      expect(step?.id).toBe(`deploy-${name}`);
      expect(args[2]).toBe(name);
      expect(flag(args, 'gen2')).toBe(true);
      expect(flag(args, 'runtime')).toBe('nodejs22');
      expect(flag(args, 'region')).toBe('${_REGION}');
      expect(flag(args, 'project')).toBe('${PROJECT_ID}');
      expect(flag(args, 'source')).toBe('.');
      expect(flag(args, 'service-account')).toBe(
        `${name}-fn@\${PROJECT_ID}.iam.gserviceaccount.com`,
      );
      expect(flag(args, 'build-service-account')).toBe(
        'projects/${PROJECT_ID}/serviceAccounts/bm-fn-builder@${PROJECT_ID}.iam.gserviceaccount.com',
      );
      for (const f of ['memory', 'timeout', 'min-instances', 'max-instances', 'concurrency']) {
        expect(flag(args, f)).toEqual(expect.any(String));
      }
      // gen2 sets FUNCTION_TARGET from the entry point; setting it by hand would be a second truth.
      expect(flags(args, 'set-env-vars').join(',')).not.toContain('FUNCTION_TARGET');
      expect(flag(args, 'serve-all-traffic-latest-revision')).toBe(true);
    },
  );

  it('deploys nothing that is not in the contract', () => {
    const entryPoints = shared.map(({ args }) => flag(args, 'entry-point'));
    expect([...entryPoints].sort()).toEqual(CONTRACT_FUNCTIONS.map((f) => f.target).sort());
  });

  it('makes the webhook public and everything else internal and authenticated', () => {
    for (const fn of CONTRACT_FUNCTIONS) {
      const args = shared.find(({ args }) => flag(args, 'entry-point') === fn.target)?.args ?? [];
      if (fn.target === 'webhook') {
        expect(flag(args, 'allow-unauthenticated')).toBe(true);
        expect(flag(args, 'ingress-settings')).toBe('all');
      } else {
        expect(flag(args, 'no-allow-unauthenticated')).toBe(true);
        expect(flag(args, 'allow-unauthenticated')).toBeUndefined();
        expect(flag(args, 'ingress-settings')).toBe(
          fn.target === 'agentApi' ? 'internal-and-gclb' : 'internal-only',
        );
      }
    }
  });

  it('triggers event functions through their push subscriptions, not Eventarc', () => {
    // Direct Pub/Sub triggers (infra/README.md): the subscription that infra/ creates carries
    // ordering, the retry policy and the dead-letter topic. An Eventarc trigger (--trigger-topic)
    // would add a second, unordered delivery of every message, and --retry only exists there.
    for (const { args } of [...shared, ...brand]) {
      expect(flag(args, 'trigger-http')).toBe(true);
      expect(flag(args, 'trigger-topic')).toBeUndefined();
      expect(flag(args, 'retry')).toBeUndefined();
    }
  });

  it('gives the webhook its two secrets at pinned versions, and nobody else any secret', () => {
    for (const { args } of [...shared, ...brand]) {
      const secrets = flags(args, 'set-secrets');
      if (flag(args, 'entry-point') !== 'webhook') {
        expect(secrets).toEqual([]);
        continue;
      }
      expect(secrets).toEqual([
        'BM_PARTNER_KEY=bm-partner-key:${_PARTNER_KEY_VERSION},BM_CLIENT_TOKEN=bm-client-token:${_CLIENT_TOKEN_VERSION}',
      ]);
      expect(secrets.join()).not.toContain('latest');
    }
  });

  it('sets the configuration the functions read', () => {
    for (const { args } of [...shared, ...brand]) {
      const env = flags(args, 'set-env-vars').join(',');
      expect(env).toContain('GOOGLE_CLOUD_PROJECT=${PROJECT_ID}');
      expect(env).toContain('LOG_CONTENT=${_LOG_CONTENT}');
      expect(env).toContain('FIRESTORE_DATABASE=${_FIRESTORE_DATABASE}');
      expect(env.includes('IAP_AUDIENCE=${_IAP_AUDIENCE}')).toBe(
        flag(args, 'entry-point') === 'agentApi',
      );
    }
    expect(build.substitutions._LOG_CONTENT).toBe('false');
  });

  it('uploads only what the function build needs', () => {
    for (const { args } of deploySteps(build)) {
      expect(flag(args, 'ignore-file')).toBe('infra/deploy.gcloudignore');
    }
    expect(fs.existsSync(path.join(REPO_ROOT, 'infra', 'deploy.gcloudignore'))).toBe(true);
  });
});

describe('cloudbuild.yaml per-brand deployments', () => {
  it('deploys automation-BRAND and sender-BRAND with BRAND_ID and their own ceilings', () => {
    expect(brand.map(({ args }) => [args[2], flag(args, 'entry-point')])).toEqual([
      ['automation-${_BRAND}', 'automation'],
      ['sender-${_BRAND}', 'sender'],
    ]);
    for (const { args } of brand) {
      const base = flag(args, 'entry-point');
      expect(flags(args, 'set-env-vars').join(',')).toContain('BRAND_ID=${_BRAND}');
      expect(flag(args, 'max-instances')).toBe(
        `\${_MAX_INSTANCES_BRAND_${String(base).toUpperCase()}}`,
      );
      expect(flag(args, 'service-account')).toBe(
        `${base}-fn@\${PROJECT_ID}.iam.gserviceaccount.com`,
      );
      expect(flag(args, 'ingress-settings')).toBe('internal-only');
      expect(flag(args, 'no-allow-unauthenticated')).toBe(true);
    }
  });

  // The steps' guard scripts really run here, with a fake gcloud, after Cloud Build's substitution.
  const deployedBy = (overrides: Record<string, string>): Call[] => {
    const fake = new FakeGcloud({ projectNumber: BUILT_IN.PROJECT_NUMBER });
    try {
      const values = substitutionValues(build, { ...PASSING, ...overrides });
      return deploySteps(build).flatMap(({ step }) => {
        const resolved = resolveStep(step, values);
        const run = fake.bash(resolved.args, resolved.env);
        expect(run.status).toBe(0);
        return run.calls;
      });
    } finally {
      fake.remove();
    }
  };

  it('a shared build (_BRAND empty) deploys the six shared functions and no brand pair', () => {
    const calls = deployedBy({});
    expect(calls.every((c) => is(c, 'functions', 'deploy'))).toBe(true);
    expect(calls.map((c) => c[2]).sort()).toEqual(
      CONTRACT_FUNCTIONS.map((f) => deploymentName(f.target)).sort(),
    );
  });

  it('a brand build deploys only that brand pair, named after it', () => {
    const calls = deployedBy({ _BRAND: 'acme' });
    expect(calls.map((c) => c[2])).toEqual(['automation-acme', 'sender-acme']);
    for (const call of calls) {
      expect(flag(call, 'set-env-vars')).toContain('BRAND_ID=acme');
      expect(flag(call, 'update-labels')).toContain('brand=acme');
    }
  });

  it('wires the subscriptions after every deploy, for the build brand', () => {
    const wire = stepById('wire-subscriptions');
    expect([...(wire.waitFor ?? [])].sort()).toEqual(
      deploySteps(build)
        .map(({ step }) => step.id)
        .sort(),
    );
    expect(wire.args).toEqual(['infra/wire.sh']);
    expect(wire.env).toEqual(
      expect.arrayContaining([
        'PROJECT_ID=${PROJECT_ID}',
        'REGION=${_REGION}',
        'ENV=${_ENV}',
        'BRAND=${_BRAND}',
      ]),
    );
  });
});

describe('cloudbuild.yaml substitutions', () => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'cloudbuild.yaml'), 'utf8');
  const used = new Set(
    build.steps.flatMap((s) => [...s.args, ...s.env, s.name].flatMap((t) => references(t))),
  );

  it('declares every user substitution it uses, and uses every one it declares', () => {
    const userUsed = [...used].filter((n) => n.startsWith('_')).sort();
    expect(userUsed).toEqual(Object.keys(build.substitutions).sort());
  });

  it('refers only to built-in substitutions Cloud Build provides', () => {
    const builtInUsed = [...used].filter((n) => !n.startsWith('_'));
    for (const name of builtInUsed) expect(Object.keys(BUILT_IN)).toContain(name);
  });

  it('documents every substitution in its header comment', () => {
    const header = text.slice(0, text.indexOf('substitutions:'));
    for (const name of Object.keys(build.substitutions)) {
      const documented = header.includes(name) || /_MAX_INSTANCES_/.test(name);
      expect({ name, documented }).toEqual({ name, documented: true });
    }
    expect(header).toContain('_MAX_INSTANCES_*');
  });

  it('resolves every step with the default values', () => {
    const values = substitutionValues(build, PASSING);
    for (const step of build.steps) expect(() => resolveStep(step, values)).not.toThrow();
  });
});

describe('infra/validate-build.sh (the validate step)', () => {
  const validate = (overrides: Record<string, string>) => {
    const fake = new FakeGcloud({ projectNumber: BUILT_IN.PROJECT_NUMBER });
    try {
      const resolved = resolveStep(stepById('validate'), substitutionValues(build, overrides));
      return fake.bash(resolved.args, resolved.env);
    } finally {
      fake.remove();
    }
  };

  it('passes a shared build with pinned secret versions and an IAP audience', () => {
    const run = validate(PASSING);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it.each([
    ['unpinned partner key', { _PARTNER_KEY_VERSION: 'latest' }, '_PARTNER_KEY_VERSION'],
    ['missing client token version', { _CLIENT_TOKEN_VERSION: '' }, '_CLIENT_TOKEN_VERSION'],
    ['missing IAP audience', { _IAP_AUDIENCE: '' }, '_IAP_AUDIENCE'],
    ['bad environment label', { _ENV: 'Prod' }, '_ENV'],
    ['zero max instances', { _MAX_INSTANCES_SENDER: '0' }, '_MAX_INSTANCES_SENDER'],
  ])('stops a shared build with %s', (_label, overrides, named) => {
    const run = validate({ ...PASSING, ...overrides });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(named);
  });

  it('fails the build with the defaults, which pin no secret version', () => {
    expect(validate({}).status).toBe(1);
  });

  it('lets a brand build through without secrets, and checks the brand ID', () => {
    expect(validate({ _BRAND: 'acme-1' }).status).toBe(0);
    const bad = validate({ _BRAND: 'Acme"; rm -rf /' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('_BRAND');
  });

  it('sees every substitution it checks', () => {
    const env = stepById('validate').env.join('\n');
    for (const name of Object.keys(build.substitutions).filter((n) =>
      /INSTANCES|VERSION/.test(n),
    )) {
      expect(env).toContain(`${name.slice(1)}=\${${name}}`);
    }
  });
});

describe('every step of cloudbuild.yaml', () => {
  it('has an id and a pinned major image', () => {
    const ids = build.steps.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const step of build.steps) expect(step.name).not.toMatch(/:latest$/);
  });

  it('only deploys through gcloud commands the tests can read', () => {
    for (const step of build.steps) {
      const text = [...step.args].join(' ');
      if (text.includes('functions deploy')) expect(gcloudArgs(step)).toBeDefined();
    }
  });
});
