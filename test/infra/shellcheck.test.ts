import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { INFRA_DIR, REPO_ROOT } from './support/fake-gcloud';

/**
 * Every infra script passes shellcheck (following `source lib.sh`) and parses with bash -n.
 * shellcheck is a Debian package (`apt-get install -y shellcheck`). Without it this test skips
 * with a warning on a developer machine, and fails under CI=true, where a skip would hide a
 * regression.
 */

const scripts = fs
  .readdirSync(INFRA_DIR)
  .filter((f) => f.endsWith('.sh'))
  .map((f) => path.join('infra', f));
/** The tests' stand-in for gcloud is a bash script too. */
const standIn = path.join('test', 'infra', 'support', 'gcloud-stand-in.sh');

const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
const available = shellcheck.status === 0;
const inCi = process.env.CI === 'true';

describe('infra shell scripts', () => {
  it('are there to check', () => {
    expect(scripts).toEqual(
      expect.arrayContaining(['infra/lib.sh', 'infra/setup.sh', 'infra/brand.sh']),
    );
  });

  it('have shellcheck available (required under CI=true)', () => {
    if (!available) {
      const message =
        'shellcheck is not installed, so the infra scripts were NOT shellchecked. Install it with ' +
        '`apt-get install -y shellcheck`.';
      if (inCi) throw new Error(message);
      console.warn(`\n*** SKIPPED: ${message} ***\n`);
    }
  });

  (available ? it : it.skip)('pass shellcheck', () => {
    const result = spawnSync('shellcheck', ['--external-sources', ...scripts, standIn], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(scripts)('%s parses with bash -n', (script) => {
    const result = spawnSync('bash', ['-n', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(scripts.filter((s) => !s.endsWith('lib.sh')))(
    '%s is executable, runs bash in strict mode and says what it is for',
    (script) => {
      const file = path.join(REPO_ROOT, script);
      expect(fs.statSync(file).mode & 0o100).toBe(0o100);
      const text = fs.readFileSync(file, 'utf8');
      expect(text.startsWith('#!/usr/bin/env bash\n# ')).toBe(true);
      // Either directly, or through lib.sh, which starts with it.
      expect(/^set -euo pipefail$/m.test(text) || text.includes('/lib.sh"')).toBe(true);
    },
  );

  it('lib.sh turns on strict mode for everything that sources it', () => {
    expect(fs.readFileSync(path.join(INFRA_DIR, 'lib.sh'), 'utf8')).toMatch(/^set -euo pipefail$/m);
  });
});
