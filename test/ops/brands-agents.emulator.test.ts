import { Firestore } from '@google-cloud/firestore';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithEmulators, uniqueProjectId } from '../support/emulators';
import { cli, emulatorEnv, jsonOf } from './cli-harness';
import { velo } from './sample-brand';

describeWithEmulators('bm-ops brands and agents on the Firestore emulator', () => {
  const projectId = uniqueProjectId('ops-brands');
  const env = emulatorEnv(projectId);
  const dir = mkdtempSync(path.join(tmpdir(), 'bm-ops-brands-'));
  let db: Firestore;
  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    return file;
  };
  const stored = async (brandId: string) => (await db.doc(`brands/${brandId}`).get()).data();

  beforeAll(() => {
    db = new Firestore({ projectId });
  });
  afterAll(() => db.terminate());

  it('push: a new brand, then what changes, with dry run, refusal and --yes', async () => {
    const file = write('velo.json', velo());
    const first = await cli(['brands', 'push', file, '--yes'], env);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stderr).toContain(`acting on the emulators`);
    expect(first.stdout).toContain('brands/velo-cafe is new');
    expect(await stored('velo-cafe')).toEqual(velo());

    const again = await cli(['brands', 'push', file, '--json'], env);
    expect(jsonOf(again)).toMatchObject({ brandId: 'velo-cafe', changes: [], written: false });

    const edited = velo();
    edited.displayName = 'Vélo Café & Ateliers';
    (edited.routing as { missThreshold: number }).missThreshold = 3;
    const editedFile = write('velo-edited.json', edited);
    const dry = await cli(['brands', 'push', editedFile, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('2 field(s) change');
    expect(dry.stdout).toMatch(/displayName\s+changed/);
    expect(dry.stdout).toMatch(/routing\.missThreshold\s+changed/);
    expect(dry.stdout).toContain('dry run: nothing written');
    expect(await stored('velo-cafe')).toEqual(velo());

    const declined = await cli(['brands', 'push', editedFile], env, 'n\n');
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('write brands/velo-cafe? [y/N]');
    expect(declined.stderr).toContain('not confirmed; nothing was changed');
    expect(await stored('velo-cafe')).toEqual(velo());

    const confirmed = await cli(['brands', 'push', editedFile], env, 'y\n');
    expect(confirmed.code).toBe(0);
    expect(await stored('velo-cafe')).toEqual(edited);
  });

  it('push of a malformed brand file: the errors, and nothing written', async () => {
    const broken = velo();
    broken.brandId = 'broken-brand';
    delete broken.fallback;
    const run = await cli(['brands', 'push', write('broken.json', broken), '--yes'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/- fallback: /);
    expect(await stored('broken-brand')).toBeUndefined();
    const notJson = await cli(['brands', 'push', write('nojson.json', '{oops'), '--yes'], env);
    expect(notJson).toMatchObject({ code: 1, stderr: expect.stringContaining('is not JSON') });
  });

  it('pull and list', async () => {
    await cli(['brands', 'push', write('v.json', velo()), '--yes'], env);
    const pulled = await cli(['brands', 'pull', 'velo-cafe'], env);
    expect(pulled.code).toBe(0);
    expect(JSON.parse(pulled.stdout)).toEqual(velo());

    await db.doc('brands/half-done').set({ brandId: 'half-done', displayName: 'Half' });
    const list = await cli(['brands', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/half-done\s+Half.*NO \(\d+ problems\)/);
    expect(list.stdout).toMatch(/velo-cafe\s+Vélo Café\s+en,fr/);
    const json = jsonOf<{ brandId: string; valid: boolean }[]>(
      await cli(['brands', 'list', '--json'], env),
    );
    expect(json.map((b) => [b.brandId, b.valid])).toEqual([
      ['half-done', false],
      ['velo-cafe', true],
    ]);
  });

  it('pull of an unknown ID: a clear error', async () => {
    expect(await cli(['brands', 'pull', 'no-such-brand'], env)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('no brand no-such-brand is stored'),
    });
  });

  it('agents: add, list, replace after confirmation, remove', async () => {
    await cli(['brands', 'push', write('v2.json', velo()), '--yes'], env);
    const add = [
      'agents',
      'add',
      '--id',
      'sam',
      '--name',
      'Sam',
      '--email',
      'Sam@Example.com',
      '--brands',
      'velo-cafe',
    ];
    expect(await cli(add, env)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('agents/sam written'),
    });
    expect((await db.doc('agents/sam').get()).data()).toEqual({
      displayName: 'Sam',
      email: 'sam@example.com',
      brandIds: ['velo-cafe'],
    });
    const listed = jsonOf(await cli(['agents', 'list', '--json'], env));
    expect(listed).toEqual([
      { agentId: 'sam', displayName: 'Sam', email: 'sam@example.com', brandIds: ['velo-cafe'] },
    ]);

    const renamed = add.map((a) => (a === 'Sam' ? 'Samuel' : a));
    const declined = await cli(renamed, env, '\n');
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('replacing it changes displayName');
    expect((await db.doc('agents/sam').get()).get('displayName')).toBe('Sam');
    expect(await cli([...renamed, '--yes'], env)).toMatchObject({ code: 0 });
    expect((await db.doc('agents/sam').get()).get('displayName')).toBe('Samuel');

    const otherWithEmail = await cli(
      [
        'agents',
        'add',
        '--id',
        'kim',
        '--name',
        'Kim',
        '--email',
        'sam@example.com',
        '--brands',
        'velo-cafe',
      ],
      env,
    );
    expect(otherWithEmail).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('already the email of agent sam'),
    });

    expect(await cli(['agents', 'remove', 'sam', '--dry-run'], env)).toMatchObject({ code: 0 });
    expect((await db.doc('agents/sam').get()).exists).toBe(true);
    expect(await cli(['agents', 'remove', 'sam', '--yes'], env)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('removed agents/sam'),
    });
    expect((await db.doc('agents/sam').get()).exists).toBe(false);
  });

  it('an agent naming a brand that does not exist, or an unknown agent: clear errors, nothing changed', async () => {
    const run = await cli(
      [
        'agents',
        'add',
        '--id',
        'lee',
        '--name',
        'Lee',
        '--email',
        'lee@example.com',
        '--brands',
        'velo-cafe,ghost-brand',
      ],
      env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no such brand: ghost-brand');
    expect((await db.doc('agents/lee').get()).exists).toBe(false);

    const bad = await cli(
      [
        'agents',
        'add',
        '--id',
        'lee',
        '--name',
        'Lee',
        '--email',
        'not-an-email',
        '--brands',
        'velo-cafe',
      ],
      env,
    );
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('email must be an email address'),
    });

    expect(await cli(['agents', 'remove', 'nobody', '--yes'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no agent nobody'),
    });
  });
});
