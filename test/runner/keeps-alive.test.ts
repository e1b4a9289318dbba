// A process whose only work is a round must live until the round ends: between two probes the
// gate's pacing timer may be the only thing pending (no socket open, the loop monitor's timer does
// not hold the process), so it must hold the process. Run in a fresh process, as the CLI runs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

it('keeps the process alive while probes wait to start, to the end of the round', () => {
  const script = `
    const { runRound } = require('./shared/runner');
    const { target } = require('./test/helpers/targets');
    const { result } = require('./test/helpers/results');
    // Probers that settle at once: nothing of theirs is left pending between two probes.
    const tcp = async (t) => result({ target: t.name, probe: 'tcp' });
    const targets = ['a', 'b', 'c'].map((name) => target({ name }));
    runRound(targets, { env: {}, region: 'test', timeoutMs: 1000, concurrency: 1, probes: ['tcp'], probers: { tcp } })
      .then((report) => console.log('round done: ' + report.results + ' results'));
  `;
  const child = spawnSync(process.execPath, ['-r', join(ROOT, 'test/helpers/ts-register.js'), '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.stdout).toContain('round done: 3 results');
}, 60_000);
