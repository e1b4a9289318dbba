import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Simulator } from '../../sim';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';
import { BUILD_TIMEOUT_MS, buildCli, spawnCli, type BuiltCli } from './cli-process';

let cli: BuiltCli;
let sim: Simulator;
let dir: string;
let connects = 0;

beforeAll(async () => {
  [cli, sim] = await Promise.all([buildCli(), startSim()]);
  sim.events.on('event', (e) => void (e.kind === 'connect' && connects++));
  dir = mkdtempSync(join(tmpdir(), 'sqlprobe-bounds-'));
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  cli?.cleanup();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const target = () => JSON.stringify([{
  name: 'orders', server: sim.host, port: sim.gatewayPort, database: 'appdb', trustServerCertificate: true, probes: ['tcp', 'tls', 'login'],
  auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
}]);

/**
 * Runs the CLI and waits for it to exit; one that is still running after `ms` (a hang, or a ladder
 * of 600 hours) is killed and reported with code null. No timing is asserted.
 */
async function run(args: string[], env: Record<string, string>, ms = 20_000): Promise<{ code: number | null; output: string }> {
  const proc = spawnCli(cli, args, { SIM_PASSWORD, ...env });
  const guard = setTimeout(() => proc.child.kill('SIGKILL'), ms);
  const code = await proc.exited;
  clearTimeout(guard);
  return { code, output: proc.output() };
}

describe('a settings typo never reaches a server as a false alarm', () => {
  it('SQLPROBE_PROBE_TIMEOUT=600h: exit 2 naming the setting, no probe run (it reported every probe timed out in ~30 ms)', async () => {
    const before = connects;
    const { code, output } = await run(['probe', 'orders'], { SQLPROBE_TARGETS: target(), SQLPROBE_PROBE_TIMEOUT: '600h' });
    expect(code).toBe(2);
    expect(output).toContain('sqlprobe: SQLPROBE_PROBE_TIMEOUT: expected a duration from 1s to 10m (a probe deadline cannot outlast the function timeout), such as "30s", got "600h"');
    expect(connects).toBe(before);
  });

  it('sqlprobe idle --rungs 600h: exit 2 naming the flag (it spun the CPU)', async () => {
    const { code, output } = await run(['idle', 'orders', '--rungs', '600h'], { SQLPROBE_TARGETS: target() });
    expect(code).toBe(2);
    expect(output).toContain('sqlprobe: --rungs: expected a duration from 100ms to 4h (an idle rung: the timers it looks for are minutes to an hour), such as "31m", got "600h"');
  });

  it.each(['a b c d e f', '99 * * * * *', '0 */0 * * * *', '0 0 0 31 2 *', '*/2 * * * * *'])(
    'sqlprobe start with SQLPROBE_CONNECTIVITY_SCHEDULE=%j: exit 2 naming the setting, never a stack trace',
    async (schedule) => {
      const { code, output } = await run(['start'], { SQLPROBE_TARGETS: target(), SQLPROBE_CONNECTIVITY_SCHEDULE: schedule });
      expect(code).toBe(2);
      expect(output).toMatch(new RegExp(`^sqlprobe: SQLPROBE_CONNECTIVITY_SCHEDULE: .*, got "${schedule.replace(/[*]/g, '\\*')}"$`, 'm'));
      expect(output).not.toMatch(/^\s+at /m);
    },
  );
});

describe('targets from a file', () => {
  it('SQLPROBE_TARGETS_FILE=/dev/zero: exit 2 at once (it hung, reading without end)', async () => {
    const { code, output } = await run(['probe', 'orders'], { SQLPROBE_TARGETS_FILE: '/dev/zero' });
    expect(code).toBe(2);
    expect(output).toContain('sqlprobe: SQLPROBE_TARGETS_FILE: cannot read "/dev/zero" (ENOTREG)');
  });

  it('10,000 broken targets: 21 lines about them, not 20,000', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ name: `t${i}`, server: sim.host, database: 'appdb', port: 0 }))));
    const { code, output } = await run(['probe', 't1'], { SQLPROBE_TARGETS_FILE: file });
    expect(code).toBe(2);
    expect(output.split('\n').filter((l) => l.startsWith('sqlprobe: skipping a target:'))).toHaveLength(21);
    expect(output).toContain('sqlprobe: skipping a target: SQLPROBE_TARGETS_FILE: 981 more problem(s) not listed; fix the ones above and load again to see them');
  });
});
