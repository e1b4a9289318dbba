import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeResultSchema } from '../../shared/contract';
import type { Simulator } from '../../sim';
import { startSim } from '../helpers/sim';
import { BUILD_TIMEOUT_MS, buildCli, spawnCli, type BuiltCli } from './cli-process';

let cli: BuiltCli;

beforeAll(async () => {
  cli = await buildCli();
}, BUILD_TIMEOUT_MS);

afterAll(() => cli?.cleanup());

describe('npm start (sqlprobe start) with no targets configured', () => {
  it('runs the demo: results from both demo targets, then a clean stop on SIGINT', async () => {
    const proc = spawnCli(cli, ['start']);
    try {
      await proc.waitFor(/running the demo against the built-in simulator/);
      // Not a terminal, so one line per result; the login result names the policy each demo target shows.
      await proc.waitFor(/demo-proxy\/login ✔ .* proxy ·/);
      await proc.waitFor(/demo-redirect\/login ✔ .* redirect ·/);
      proc.child.kill('SIGINT');
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toMatch(/stopped\n$/);
      expect(proc.output()).not.toContain('unexpected error');
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('sqlprobe start: Ctrl-C during a round that hangs', () => {
  let sim: Simulator | undefined;
  const resultsFile = join(tmpdir(), `sqlprobe-start-results-${process.pid}.jsonl`);

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    rmSync(resultsFile, { force: true });
  });

  it('ends the round at once, exits 0, and does not report the cut probe as a failure', async () => {
    const gateway = (sim = await startSim());
    // The gateway accepts connections and never answers: the tls probe waits for its PRELOGIN answer.
    await gateway.setFault('gateway', { kind: 'blackhole' });
    let accepted = 0;
    const tlsWaiting = new Promise<void>((resolve) => gateway.events.on('event', (e) => {
      if (e.kind === 'fault' && ++accepted === 2) resolve();
    }));
    const targets = JSON.stringify([{ name: 'hangs', server: gateway.host, port: gateway.gatewayPort, database: 'appdb', probes: ['tcp', 'tls'] }]);
    const proc = spawnCli(cli, ['start', '--results-file', resultsFile], {
      SQLPROBE_TARGETS: targets,
      // A probe would hang for 10 minutes, and the round's budget is as long: no tick is due before 1 January.
      SQLPROBE_PROBE_TIMEOUT: '10m',
      SQLPROBE_CONNECTIVITY_SCHEDULE: '0 0 0 1 1 *',
    });
    try {
      await proc.waitFor(/hangs\/tcp ✔/);
      // The tcp probe's connection, then the tls probe's, which now waits on a gateway that never answers.
      await tlsWaiting;
      proc.child.kill('SIGINT');
      expect(await proc.exited).toBe(0);
      const output = proc.output();
      expect(output).toMatch(/stopping: ending running probes/);
      expect(output).toMatch(/stopped\n$/);
      expect(output).not.toMatch(/hangs\/tls/);
      expect(output).not.toContain('unexpected error');
      // Telemetry has the tcp result and nothing for the tls probe that Ctrl-C cut short.
      const recorded = readFileSync(resultsFile, 'utf8').trim().split('\n').map((l) => probeResultSchema.parse(JSON.parse(l)));
      expect(recorded.map((r) => [r.probe, r.success])).toEqual([['tcp', true]]);
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 60_000);
});
