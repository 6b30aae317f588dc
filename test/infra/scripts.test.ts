import fs from 'node:fs';
import path from 'node:path';
import { deploySteps, loadCloudBuild } from './support/cloudbuild';
import {
  FakeGcloud,
  INFRA_DIR,
  REPO_ROOT,
  creates,
  describeCall,
  flag,
  flags,
  is,
  type Call,
  type Run,
} from './support/fake-gcloud';
import { CONTRACT_FUNCTIONS, deploymentName } from './support/function-targets';

/**
 * The infra scripts run end to end against a stand-in gcloud that models the project: a first
 * run on an empty project must create everything with the right settings, a second run must
 * create nothing (idempotence), and the result must agree with what cloudbuild.yaml deploys.
 */

// Scripts make hundreds of gcloud calls; on a loaded machine a run takes seconds.
jest.setTimeout(60_000);

const PROJECT = 'test-proj';
const NUMBER = '123456789012';
const ENV = { PROJECT_ID: PROJECT, REGION: 'europe-west1', ENV: 'dev' };
const PUBSUB_AGENT = `serviceAccount:service-${NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`;
const PUSH_SA = `pubsub-push@${PROJECT}.iam.gserviceaccount.com`;
const sa = (deployment: string) =>
  `serviceAccount:${deployment}-fn@${PROJECT}.iam.gserviceaccount.com`;
const uri = (deployment: string) => `https://${deployment}-abc123-ew.a.run.app`;

const EVENT_FUNCTIONS = CONTRACT_FUNCTIONS.filter((f) => f.kind === 'event');
const ALL_DEPLOYMENTS = CONTRACT_FUNCTIONS.map((f) => deploymentName(f.target));
const deployedFunctions = (names: string[]) =>
  Object.fromEntries(names.map((name) => [name, uri(name)]));

const ok = (run: Run): Run => {
  if (run.status !== 0) {
    throw new Error(`exit ${run.status}\n${run.stderr}\n${run.calls.map(describeCall).join('\n')}`);
  }
  return run;
};
const find = (calls: Call[], ...words: string[]) => calls.filter((c) => is(c, ...words));
const one = (calls: Call[], ...words: string[]): Call => {
  const found = find(calls, ...words);
  if (found.length !== 1) {
    throw new Error(`expected one "gcloud ${words.join(' ')}", got ${found.length}`);
  }
  return found[0] ?? [];
};
const bindings = (calls: Call[]) =>
  calls
    .filter((c) => c.some((a) => a.endsWith('add-iam-policy-binding')))
    .map((c) => {
      const verbAt = c.findIndex((a) => a.endsWith('add-iam-policy-binding'));
      return {
        on: `${c.slice(0, verbAt).join(' ')} ${c[verbAt + 1] ?? ''}`,
        member: flag(c, 'member'),
        role: flag(c, 'role'),
      };
    });

describe('infra/setup.sh on an empty project, functions already deployed', () => {
  let fake: FakeGcloud;
  let first: Run;
  let second: Run;

  beforeAll(() => {
    fake = new FakeGcloud({ projectNumber: NUMBER, functions: deployedFunctions(ALL_DEPLOYMENTS) });
    first = ok(fake.script('setup.sh', [], ENV));
    second = ok(fake.script('setup.sh', [], ENV));
  }, 120_000);
  afterAll(() => fake.remove());

  it('pins --project on every gcloud call', () => {
    for (const call of [...first.calls, ...second.calls]) {
      if (!is(call, 'projects')) expect(flag(call, 'project')).toBe(PROJECT);
    }
  });

  it('enables the APIs the pipeline uses', () => {
    const enabled = find(first.calls, 'services', 'enable').flatMap((c) => c.slice(2));
    for (const api of [
      'cloudfunctions',
      'run',
      'cloudbuild',
      'artifactregistry',
      'pubsub',
      'firestore',
      'secretmanager',
      'logging',
      'monitoring',
      'iamcredentials',
    ]) {
      expect(enabled).toContain(`${api}.googleapis.com`);
    }
  });

  it('creates the topics, each keeping messages in the region', () => {
    const topics = find(first.calls, 'pubsub', 'topics', 'create');
    const names = topics.map((c) => c[3]);
    for (const topic of ['inbound', 'automation', 'live-agent', 'outbound', 'quarantine']) {
      expect(names).toContain(topic);
    }
    for (const c of topics)
      expect(flag(c, 'message-storage-policy-allowed-regions')).toBe(ENV.REGION);
  });

  it('keeps quarantined events 31 days in a subscription that never expires', () => {
    const hold = find(first.calls, 'pubsub', 'subscriptions', 'create').find(
      (c) => flag(c, 'topic') === 'quarantine',
    );
    expect(hold).toBeDefined();
    expect(flag(hold ?? [], 'message-retention-duration')).toBe('31d');
    expect(flag(hold ?? [], 'expiration-period')).toBe('never');
    expect(flag(hold ?? [], 'push-endpoint')).toBeUndefined();
  });

  it.each(EVENT_FUNCTIONS.map((f) => [f.target, f.topic] as const))(
    '%s: an ordered subscription on %s with retry backoff and a dead-letter topic',
    (target, topic) => {
      const deployment = deploymentName(target);
      const subscription = `${deployment}-push`;
      const create = find(first.calls, 'pubsub', 'subscriptions', 'create').find(
        (c) => c[3] === subscription,
      );
      expect(create).toBeDefined();
      const c = create ?? [];
      expect(flag(c, 'topic')).toBe(topic);
      expect(flag(c, 'enable-message-ordering')).toBe(true);
      expect(flag(c, 'min-retry-delay')).toBe('10s');
      expect(flag(c, 'max-retry-delay')).toBe('600s');
      expect(Number(flag(c, 'max-delivery-attempts'))).toBeGreaterThanOrEqual(5);
      expect(flag(c, 'dead-letter-topic')).toBe(`${subscription}-dlq`);
      expect(flag(c, 'expiration-period')).toBe('never');
      expect(flag(c, 'message-filter')).toBe(
        ['automation', 'sender'].includes(target) ? 'NOT attributes.dedicated = "true"' : undefined,
      );

      // The dead-letter topic exists, is kept by a subscription, and the Pub/Sub service agent
      // may publish to it and acknowledge on the source subscription.
      expect(find(first.calls, 'pubsub', 'topics', 'create').map((x) => x[3])).toContain(
        `${subscription}-dlq`,
      );
      const hold = find(first.calls, 'pubsub', 'subscriptions', 'create').find(
        (x) => flag(x, 'topic') === `${subscription}-dlq`,
      );
      expect(flag(hold ?? [], 'message-retention-duration')).toBe('31d');
      expect(bindings(first.calls)).toEqual(
        expect.arrayContaining([
          {
            on: `pubsub topics ${subscription}-dlq`,
            member: PUBSUB_AGENT,
            role: 'roles/pubsub.publisher',
          },
          {
            on: `pubsub subscriptions ${subscription}`,
            member: PUBSUB_AGENT,
            role: 'roles/pubsub.subscriber',
          },
        ]),
      );
    },
  );

  it.each(EVENT_FUNCTIONS.map((f) => [f.target, f.topic] as const))(
    '%s: its subscription pushes to it with OIDC auth, and only the push identity may invoke it',
    (target, topic) => {
      const deployment = deploymentName(target);
      const update = find(first.calls, 'pubsub', 'subscriptions', 'update').find(
        (c) => c[3] === `${deployment}-push` && flag(c, 'push-endpoint') !== undefined,
      );
      expect(update).toBeDefined();
      expect(flag(update ?? [], 'push-endpoint')).toBe(
        `${uri(deployment)}/projects/${PROJECT}/topics/${topic}`,
      );
      expect(flag(update ?? [], 'push-auth-service-account')).toBe(PUSH_SA);
      expect(flag(update ?? [], 'push-auth-token-audience')).toBe(uri(deployment));
      const invokers = find(first.calls, 'functions', 'add-invoker-policy-binding').filter(
        (c) => c[2] === deployment,
      );
      expect(invokers.map((c) => flag(c, 'member'))).toEqual([`serviceAccount:${PUSH_SA}`]);
    },
  );

  it('creates one service account per function, and the push, deploy and build identities', () => {
    const created = find(first.calls, 'iam', 'service-accounts', 'create').map((c) => c[3]);
    expect([...created].sort()).toEqual(
      [
        ...ALL_DEPLOYMENTS.map((d) => `${d}-fn`),
        'pubsub-push',
        'bm-deployer',
        'bm-fn-builder',
      ].sort(),
    );
  });

  it('lets each function publish only to its own topics, and use Firestore unless it is the webhook', () => {
    const publishers = bindings(first.calls).filter(
      (b) => b.role === 'roles/pubsub.publisher' && b.member !== PUBSUB_AGENT,
    );
    const topicsOf = (deployment: string) =>
      publishers
        .filter((b) => b.member === sa(deployment))
        .map((b) => b.on.replace('pubsub topics ', ''))
        .sort();
    expect(topicsOf('webhook')).toEqual(['inbound', 'quarantine']);
    expect(topicsOf('sender')).toEqual(['quarantine']);
    expect(topicsOf('classifier')).toEqual(['automation', 'live-agent', 'quarantine']);
    expect(topicsOf('automation')).toEqual(['outbound', 'quarantine']);
    for (const deployment of ALL_DEPLOYMENTS) {
      expect(topicsOf(deployment).length).toBeGreaterThan(0);
      // A function never publishes to the topic it consumes (that would loop).
      const consumed = EVENT_FUNCTIONS.find((f) => deploymentName(f.target) === deployment)?.topic;
      if (consumed) expect(topicsOf(deployment)).not.toContain(consumed);
    }
    // No project-wide publisher role for anyone.
    expect(
      bindings(first.calls).filter(
        (b) => b.on.startsWith('projects') && b.role === 'roles/pubsub.publisher',
      ),
    ).toEqual([]);

    const datastore = bindings(first.calls)
      .filter((b) => b.role === 'roles/datastore.user')
      .map((b) => b.member);
    expect([...datastore].sort()).toEqual(
      ALL_DEPLOYMENTS.filter((d) => d !== 'webhook')
        .map(sa)
        .sort(),
    );
  });

  it('grants every topic the code of a function publishes to', () => {
    // Literal topics of `bus.publish('topic', …)` in each function's directory (named like its
    // deployment). A publish without a grant fails at run time with PERMISSION_DENIED.
    const granted = (deployment: string) =>
      bindings(first.calls)
        .filter((b) => b.member === sa(deployment) && b.role === 'roles/pubsub.publisher')
        .map((b) => b.on.replace('pubsub topics ', ''));
    let checked = 0;
    for (const deployment of ALL_DEPLOYMENTS) {
      const dir = path.join(REPO_ROOT, 'functions', deployment);
      if (!fs.existsSync(dir)) continue;
      for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts')) continue;
        const code = fs.readFileSync(path.join(dir, file), 'utf8');
        for (const m of code.matchAll(/\bbus\.publish\(\s*'([a-z-]+)'/g)) {
          expect({
            deployment,
            publishes: m[1],
            granted: granted(deployment).includes(m[1] ?? ''),
          }).toEqual({
            deployment,
            publishes: m[1],
            granted: true,
          });
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('creates the two secrets without values and lets only the webhook read them', () => {
    const secrets = find(first.calls, 'secrets', 'create');
    expect(secrets.map((c) => c[2]).sort()).toEqual(['bm-client-token', 'bm-partner-key']);
    for (const c of secrets) expect(flag(c, 'data-file')).toBeUndefined();
    const readers = bindings(first.calls).filter(
      (b) => b.role === 'roles/secretmanager.secretAccessor',
    );
    expect(readers).toEqual([
      {
        on: 'secrets bm-partner-key',
        member: sa('webhook'),
        role: 'roles/secretmanager.secretAccessor',
      },
      {
        on: 'secrets bm-client-token',
        member: sa('webhook'),
        role: 'roles/secretmanager.secretAccessor',
      },
    ]);
  });

  it('creates the Firestore database, the composite indexes of firestore.indexes.json and TTL', () => {
    const db = one(first.calls, 'firestore', 'databases', 'create');
    expect(flag(db, 'location')).toBe(ENV.REGION);
    expect(flag(db, 'type')).toBe('firestore-native');

    const indexes = find(first.calls, 'firestore', 'indexes', 'composite', 'create').map((c) => ({
      group: flag(c, 'collection-group'),
      fields: flags(c, 'field-config'),
    }));
    expect(indexes).toEqual(
      expect.arrayContaining([
        {
          group: 'conversations',
          fields: [
            'field-path=brandId,order=ascending',
            'field-path=state,order=ascending',
            'field-path=queuedAt,order=ascending',
          ],
        },
        {
          group: 'conversations',
          fields: [
            'field-path=brandId,order=ascending',
            'field-path=state,order=ascending',
            'field-path=updatedAt,order=descending',
          ],
        },
      ]),
    );
    const definitions = indexDefinitionCount();
    expect(indexes).toHaveLength(definitions);

    const ttl = find(first.calls, 'firestore', 'fields', 'ttls', 'update').map((c) => [
      c[4],
      flag(c, 'collection-group'),
      flag(c, 'enable-ttl'),
    ]);
    expect(ttl).toEqual(
      expect.arrayContaining([
        ['expireAt', 'messages', true],
        ['expireAt', 'processed', true],
        ['expireAt', 'notices', true],
      ]),
    );
  });

  it('creates the log-based metrics, alert policies and dashboard from infra/monitoring', () => {
    const metrics = find(first.calls, 'logging', 'metrics', 'create');
    expect(metrics.map((c) => c[3]).sort()).toEqual([
      'bm_events_quarantined',
      'bm_queue_wait',
      'bm_send_failures',
      'bm_webhook_rejections',
    ]);
    for (const c of metrics) {
      expect(fs.existsSync(String(flag(c, 'config-from-file')))).toBe(true);
    }
    const alerts = fs.readdirSync(path.join(INFRA_DIR, 'monitoring', 'alerts'));
    expect(find(first.calls, 'alpha', 'monitoring', 'policies', 'create')).toHaveLength(
      alerts.length,
    );
    one(first.calls, 'monitoring', 'dashboards', 'create');
  });

  it('creates nothing the second time, and updates what it owns in place', () => {
    expect(creates(second.calls).map(describeCall)).toEqual([]);
    expect(find(second.calls, 'logging', 'metrics', 'update')).toHaveLength(4);
    expect(find(second.calls, 'monitoring', 'dashboards', 'update')).toHaveLength(1);
    expect(
      find(second.calls, 'pubsub', 'subscriptions', 'update').filter(
        (c) => flag(c, 'dead-letter-topic') !== undefined,
      ),
    ).toHaveLength(EVENT_FUNCTIONS.length);
    // TTL and exemptions already in place are not touched again.
    expect(find(second.calls, 'firestore', 'fields', 'ttls', 'update')).toEqual([]);
    expect(find(second.calls, 'firestore', 'indexes', 'fields', 'update')).toEqual([]);
  });

  it('agrees with cloudbuild.yaml on identities and timeouts', () => {
    const build = loadCloudBuild();
    const created = find(first.calls, 'iam', 'service-accounts', 'create').map(
      (c) => `${c[3]}@\${PROJECT_ID}.iam.gserviceaccount.com`,
    );
    for (const { args } of deploySteps(build)) {
      expect(created).toContain(flag(args, 'service-account'));
      expect(flag(args, 'build-service-account')).toBe(
        `projects/\${PROJECT_ID}/serviceAccounts/${created.find((s) => s.startsWith('bm-fn-builder'))}`,
      );
    }
    // Push: the ack deadline is the HTTP timeout of a delivery; it must outlast the function.
    for (const f of EVENT_FUNCTIONS) {
      const deployment = deploymentName(f.target);
      const sub = find(first.calls, 'pubsub', 'subscriptions', 'create').find(
        (c) => c[3] === `${deployment}-push`,
      );
      const deploy = deploySteps(build).find(({ args }) => args[2] === deployment);
      const timeout = Number(String(flag(deploy?.args ?? [], 'timeout')).replace(/s$/, ''));
      expect(timeout).toBeGreaterThan(0);
      expect(Number(flag(sub ?? [], 'ack-deadline'))).toBeGreaterThanOrEqual(timeout);
      expect(Number(flag(sub ?? [], 'ack-deadline'))).toBeLessThanOrEqual(600);
    }
  });
});

/** Composite index definitions in infra/firestore.indexes.json. */
function indexDefinitionCount(): number {
  const json = JSON.parse(
    fs.readFileSync(path.join(INFRA_DIR, 'firestore.indexes.json'), 'utf8'),
  ) as {
    indexes: unknown[];
  };
  return json.indexes.length;
}

describe('first set-up before any function is deployed', () => {
  it('keeps every event subscription as pull (messages wait) and says so', () => {
    const fake = new FakeGcloud({ projectNumber: NUMBER });
    try {
      const run = ok(fake.script('setup.sh', [], ENV));
      expect(
        find(run.calls, 'pubsub', 'subscriptions', 'create').filter((c) =>
          flag(c, 'enable-message-ordering'),
        ),
      ).toHaveLength(EVENT_FUNCTIONS.length);
      expect(run.calls.filter((c) => flag(c, 'push-endpoint') !== undefined)).toEqual([]);
      expect(run.stderr).toContain('not deployed yet');

      // The deploy build's wire step then points them at the functions.
      fake.deploy(deployedFunctions(ALL_DEPLOYMENTS));
      const wire = ok(fake.script('wire.sh', [], ENV));
      expect(
        wire.calls
          .filter((c) => flag(c, 'push-endpoint') !== undefined)
          .map((c) => c[3])
          .sort(),
      ).toEqual(EVENT_FUNCTIONS.map((f) => `${deploymentName(f.target)}-push`).sort());
      expect(creates(wire.calls)).toEqual([]);
    } finally {
      fake.remove();
    }
  }, 120_000);

  it('wire.sh changes nothing when a function it must wire is not deployed', () => {
    const fake = new FakeGcloud({ projectNumber: NUMBER });
    try {
      ok(fake.script('60-subscriptions.sh', [], { ...ENV, ALLOW_MISSING_FUNCTIONS: '1' }));
      fake.deploy(deployedFunctions(['classifier']));
      const run = fake.script('wire.sh', [], ENV);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/not deployed.*automation, live-agent, sender/);
      // It checks every function before changing any subscription.
      expect(find(run.calls, 'pubsub', 'subscriptions', 'update')).toEqual([]);
      expect(find(run.calls, 'functions', 'add-invoker-policy-binding')).toEqual([]);
    } finally {
      fake.remove();
    }
  });

  it('wire.sh for a brand whose subscriptions were never made says to run brand.sh', () => {
    const fake = new FakeGcloud({
      projectNumber: NUMBER,
      functions: deployedFunctions(['automation-acme', 'sender-acme']),
    });
    try {
      const run = fake.script('wire.sh', [], { ...ENV, BRAND: 'acme' });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('run infra/brand.sh acme first');
      expect(creates(run.calls)).toEqual([]);
    } finally {
      fake.remove();
    }
  });
});

describe('infra/brand.sh', () => {
  let fake: FakeGcloud;
  beforeAll(() => {
    fake = new FakeGcloud({ projectNumber: NUMBER, functions: deployedFunctions(ALL_DEPLOYMENTS) });
    ok(fake.script('setup.sh', [], ENV));
  }, 120_000);
  afterAll(() => fake.remove());

  it('gives a brand its own filtered, ordered subscriptions and wires them once deployed', () => {
    const before = ok(fake.script('brand.sh', ['acme'], ENV));
    const subs = find(before.calls, 'pubsub', 'subscriptions', 'create').filter(
      (c) => flag(c, 'enable-message-ordering') === true,
    );
    expect(subs.map((c) => [c[3], flag(c, 'topic'), flag(c, 'message-filter')])).toEqual([
      [
        'automation-acme-push',
        'automation',
        'attributes.brand = "acme" AND attributes.dedicated = "true"',
      ],
      [
        'sender-acme-push',
        'outbound',
        'attributes.brand = "acme" AND attributes.dedicated = "true"',
      ],
    ]);
    for (const c of subs) {
      expect(flag(c, 'dead-letter-topic')).toBe(`${c[3]}-dlq`);
      expect(flag(c, 'max-retry-delay')).toBe('600s');
    }
    // The brand's functions are not deployed yet: its subscriptions keep messages meanwhile.
    expect(before.calls.filter((c) => flag(c, 'push-endpoint') !== undefined)).toEqual([]);

    fake.deploy(deployedFunctions(['automation-acme', 'sender-acme']));
    const wired = ok(fake.script('wire.sh', [], { ...ENV, BRAND: 'acme' }));
    expect(
      wired.calls
        .filter((c) => flag(c, 'push-endpoint') !== undefined)
        .map((c) => [c[3], flag(c, 'push-endpoint')]),
    ).toEqual([
      ['automation-acme-push', `${uri('automation-acme')}/projects/${PROJECT}/topics/automation`],
      ['sender-acme-push', `${uri('sender-acme')}/projects/${PROJECT}/topics/outbound`],
    ]);

    const again = ok(fake.script('brand.sh', ['acme'], ENV));
    expect(creates(again.calls)).toEqual([]);
  });

  it.each([['Acme'], ['a'], ['acme_1'], ['-acme'], ['x'.repeat(37)], ['acme" OR attributes:x']])(
    'refuses the brand ID %s before touching anything',
    (brand) => {
      const run = fake.script('brand.sh', [brand], ENV);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('brand ID');
      expect(run.calls).toEqual([]);
    },
  );
});

describe('safety of the infra scripts', () => {
  it('refuses to run without PROJECT_ID, REGION or ENV', () => {
    for (const missing of ['PROJECT_ID', 'REGION', 'ENV'] as const) {
      const fake = new FakeGcloud({ projectNumber: NUMBER });
      try {
        const env: Record<string, string> = { ...ENV };
        delete env[missing];
        const run = fake.script('setup.sh', [], env);
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain(missing);
        expect(run.calls).toEqual([]);
      } finally {
        fake.remove();
      }
    }
  });

  it('stops instead of creating when it cannot tell whether something exists', () => {
    const fake = new FakeGcloud({
      projectNumber: NUMBER,
      failDescribe: 'PERMISSION_DENIED: caller lacks pubsub.topics.get',
    });
    try {
      const run = fake.script('20-pubsub.sh', [], ENV);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('PERMISSION_DENIED');
      expect(creates(run.calls)).toEqual([]);
    } finally {
      fake.remove();
    }
  });

  it('refuses to keep a subscription whose immutable ordering is wrong', () => {
    const fake = new FakeGcloud({
      projectNumber: NUMBER,
      resources: { 'pubsub subscriptions|classifier-push|': { topic: 'inbound' } },
    });
    try {
      const run = fake.script('60-subscriptions.sh', [], ENV);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain("classifier-push has enableMessageOrdering=''");
      expect(
        find(run.calls, 'pubsub', 'subscriptions', 'update').filter(
          (c) => c[3] === 'classifier-push',
        ),
      ).toEqual([]);
    } finally {
      fake.remove();
    }
  });

  it('puts the agent API behind IAP and prints its audience', () => {
    const fake = new FakeGcloud({
      projectNumber: NUMBER,
      functions: deployedFunctions(['agent-api']),
    });
    try {
      const env = {
        ...ENV,
        AGENT_API_DOMAIN: 'agents.example.com',
        IAP_MEMBERS: 'group:agents@example.com',
      };
      const run = ok(fake.script('70-agent-api-iap.sh', [], env));
      expect(run.stdout).toContain(`IAP_AUDIENCE=/projects/${NUMBER}/global/backendServices/`);
      expect(
        flag(one(run.calls, 'compute', 'network-endpoint-groups', 'create'), 'cloud-run-service'),
      ).toBe('agent-api');
      expect(flag(one(run.calls, 'compute', 'backend-services', 'update'), 'iap')).toBe('enabled');
      expect(one(run.calls, 'compute', 'backend-services', 'add-backend')).toBeDefined();
      expect(flag(one(run.calls, 'functions', 'add-invoker-policy-binding'), 'member')).toBe(
        `serviceAccount:service-${NUMBER}@gcp-sa-iap.iam.gserviceaccount.com`,
      );
      const access = one(run.calls, 'iap', 'web', 'add-iam-policy-binding');
      expect([flag(access, 'service'), flag(access, 'member'), flag(access, 'role')]).toEqual([
        'agent-api-backend',
        'group:agents@example.com',
        'roles/iap.httpsResourceAccessor',
      ]);
      const again = ok(fake.script('70-agent-api-iap.sh', [], env));
      expect(creates(again.calls)).toEqual([]);
      expect(find(again.calls, 'compute', 'backend-services', 'add-backend')).toEqual([]);
    } finally {
      fake.remove();
    }
  });
});
