import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

// `npm run simulate` with a mistake on its command line: the usage, not "Is the stack running?".
// (The compiled simulator: `npm test` builds before it runs the suites.)

const simulator = path.resolve(__dirname, '../../dist/functions/local/simulator/main.js');

describe('the simulator’s command line', () => {
  it('answers an unknown flag with what was wrong and its usage, exit 2', () => {
    expect(existsSync(simulator)).toBe(true);
    const run = spawnSync(process.execPath, [simulator, '--bogus'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain("Unknown option '--bogus'");
    expect(run.stdout).toContain('npm run simulate -- [options] [text]');
    expect(run.stdout).not.toContain('Is the stack running?');
  });

  it('answers a bad value the same way', () => {
    const run = spawnSync(process.execPath, [simulator, '--wait', 'soon', 'hi'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('--wait');
    expect(run.stdout).toContain('npm run simulate -- [options] [text]');
  });
});
