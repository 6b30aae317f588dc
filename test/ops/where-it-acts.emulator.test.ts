import { Firestore } from '@google-cloud/firestore';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { velo } from './sample-brand';

const main = path.join(__dirname, '../../dist/functions/ops/main.js');

/** `bm-ops ARGS` as a separate process, as `npx bm-ops` runs it (test/run-tests.mjs built it). */
function bmOps(args: string[], env: Record<string, string | undefined>) {
  const run = spawnSync(process.execPath, [main, ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describeWithEmulators('where bm-ops acts', () => {
  const projectId = uniqueProjectId('ops-where');
  const home = mkdtempSync(path.join(tmpdir(), 'bm-ops-home-'));
  const file = path.join(home, 'velo.json');
  writeFileSync(file, JSON.stringify(velo()));
  // A machine with no Google credentials at all, but with the emulators in its environment.
  const bare = {
    PATH: process.env.PATH,
    HOME: home,
    CLOUDSDK_CONFIG: path.join(home, 'gcloud'),
    METADATA_SERVER_DETECTION: 'none',
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
    FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
    GOOGLE_CLOUD_PROJECT: projectId,
  };
  let db: Firestore;
  beforeAll(() => {
    db = new Firestore({ projectId });
  });
  afterAll(() => db.terminate());

  it('by default, on the emulators it finds, and says so', () => {
    const run = bmOps(['brands', 'push', file, '--yes'], bare);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      `acting on the emulators (Pub/Sub ${process.env.PUBSUB_EMULATOR_HOST}`,
    );
  });

  it('--project without credentials: a clear error, exit 1, and nothing changed (not even on the emulators)', async () => {
    const other = velo();
    other.brandId = 'never-written';
    other.agents = ['brands/never-written/agents/agent-1'];
    const otherFile = path.join(home, 'other.json');
    writeFileSync(otherFile, JSON.stringify(other));
    const run = bmOps(['brands', 'push', otherFile, '--project', projectId, '--yes'], bare);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--project ${projectId}: no Application Default Credentials`);
    expect(run.stderr).toContain('gcloud auth application-default login');
    expect((await db.doc('brands/never-written').get()).exists).toBe(false);
  });

  it('no project and no emulator answering: it says where it would act and stops', () => {
    const run = bmOps(['agents', 'list'], {
      ...bare,
      PUBSUB_EMULATOR_HOST: '127.0.0.1:1',
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:2',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('would act on the local emulators');
    expect(run.stderr).toContain(
      'nothing answers: Pub/Sub at 127.0.0.1:1, Firestore at 127.0.0.1:2',
    );
    expect(run.stderr).toContain('Nothing was done.');
  });

  it('exit codes a script can trust, from the built command', () => {
    expect(bmOps(['--help'], bare).code).toBe(0);
    expect(bmOps(['brands', 'frobnicate'], bare).code).toBe(2);
    expect(bmOps(['brands', 'pull', 'nothing-here'], bare).code).toBe(1);
  });
});
