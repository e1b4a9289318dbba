import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { probeResultSchema } from '../../shared/contract';
import type { Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';
import { BUILD_TIMEOUT_MS, buildCli, runCli, spawnCli, type BuiltCli } from './cli-process';

const results = z.array(probeResultSchema);
const WRONG_PASSWORD = 'Not-The-Passw0rd';

let cli: BuiltCli;
let certs: TestCerts;
let sim: Simulator;
let idleSim: Simulator;

beforeAll(async () => {
  [cli, certs] = await Promise.all([buildCli(), Promise.resolve(createTestCerts())]);
  sim = await startSim({ policy: 'redirect', tls: certs.good });
  // A gateway whose idle kill falls between the two rungs the idle test uses.
  idleSim = await startSim({ policy: 'proxy', tls: certs.good, idleTimeoutMs: 1500 });
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([sim?.stop(), idleSim?.stop()]);
  certs?.cleanup();
  cli?.cleanup();
});

const adHoc = (s: Simulator) => ['--server', s.host, '--port', String(s.gatewayPort), '--database', 'appdb', '--user', SIM_USER];

function expectNoSecret(run: { stdout: string; stderr: string }, secret: string): void {
  expect(run.stdout).not.toContain(secret);
  expect(run.stderr).not.toContain(secret);
}

describe('sqlprobe probe', () => {
  it('exits 0 with a readable report when every probe succeeds', async () => {
    const run = await runCli(cli, ['probe', ...adHoc(sim), '--trust-server-certificate'], { SQLPROBE_PASSWORD: SIM_PASSWORD });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✔ login .*redirect → 127\.0\.0\.1:\d+/);
    expect(run.stdout).toMatch(/reroute\s+ *█+/);
    expect(run.stdout).toContain('all 4 probes succeeded');
    expectNoSecret(run, SIM_PASSWORD);
  });

  it('prints --json that validates against the result schema', async () => {
    const run = await runCli(cli, ['probe', ...adHoc(sim), '--ca-file', certs.caFile, '--json'], { SQLPROBE_PASSWORD: SIM_PASSWORD });
    expect(run.code).toBe(0);
    const parsed = results.parse(JSON.parse(run.stdout));
    expect(parsed.map((r) => r.probe)).toEqual(['dns', 'tcp', 'tls', 'login']);
    expect(parsed.every((r) => r.success && r.target === 'adhoc')).toBe(true);
    expect(parsed[3].policy).toBe('redirect');
    expectNoSecret(run, SIM_PASSWORD);
  });

  it('exits 1 with the class and the recommendation when a probe fails, and never shows the password', async () => {
    const run = await runCli(cli, ['probe', ...adHoc(sim), '--trust-server-certificate', '--probes', 'login'], { SQLPROBE_PASSWORD: WRONG_PASSWORD });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✘ login .*login-failed in login \(18456 state 8\)/);
    expect(run.stdout).toContain('→ ');
    expectNoSecret(run, WRONG_PASSWORD);

    const json = await runCli(cli, ['probe', ...adHoc(sim), '--trust-server-certificate', '--probes', 'login', '--json'], { SQLPROBE_PASSWORD: WRONG_PASSWORD });
    expect(json.code).toBe(1);
    expect(results.parse(JSON.parse(json.stdout))[0].error?.class).toBe('login-failed');
    expectNoSecret(json, WRONG_PASSWORD);
  });

  it('exits 1 for a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const run = await runCli(cli, ['probe', '--server', '127.0.0.1', '--port', String(port), '--probes', 'tcp', '--json']);
    expect(run.code).toBe(1);
    expect(results.parse(JSON.parse(run.stdout))[0].error?.class).toBe('tcp-refused');
  });

  it('probes a configured target by name, reading its password from the setting it names', async () => {
    const targets = JSON.stringify([{
      name: 'orders', server: sim.host, port: sim.gatewayPort, database: 'appdb', trustServerCertificate: true,
      auth: { type: 'sql', user: SIM_USER, passwordSetting: 'ORDERS_PASSWORD' },
    }]);
    const resultsFile = join(tmpdir(), `sqlprobe-results-${process.pid}.jsonl`);
    const run = await runCli(cli, ['probe', 'orders', '--probes', 'tls,login', '--results-file', resultsFile], { SQLPROBE_TARGETS: targets, ORDERS_PASSWORD: SIM_PASSWORD, SQLPROBE_REGION: 'test-region' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^orders {2}127\.0\.0\.1:\d+ {2}region test-region/);
    const lines = readFileSync(resultsFile, 'utf8').trim().split('\n').map((l) => probeResultSchema.parse(JSON.parse(l)));
    rmSync(resultsFile);
    expect(lines.map((r) => r.probe)).toEqual(['tls', 'login']);
    expectNoSecret(run, SIM_PASSWORD);
  });
});

describe('bad usage exits 2 with a message naming the flag and the fix', () => {
  it.each([
    [['probe', 'billing'], /unknown target "billing"; no targets are configured/],
    [['probe', '--server', '127.0.0.1', '--port', 'x'], /--port: expected an integer 1–65535, got "x"/],
    [['probe', '--server', '127.0.0.1', '--encrypt', 'no'], /--encrypt: expected true or strict/],
    [['probe', '--server', '127.0.0.1', '--probes', 'tls,ping'], /--probes: expected one of dns, tcp, tls, login, idle, pool/],
    [['probe', '--server', '127.0.0.1', '--password', 'x'], /unknown option '--password'/],
    [['probe', '--server', '127.0.0.1', '--probes', 'tls,idle'], /--probes: idle waits for minutes .* sqlprobe idle --server …/],
    [['probe', '--server', '127.0.0.1', '--user', 'app'], /SQLPROBE_PASSWORD is not set and there is no terminal to prompt on/],
    [['idle', '--server', '127.0.0.1', '--user', 'app', '--rungs', '5 min'], /--rungs: expected a positive duration/],
    [['idle', '--server', '127.0.0.1'], /--user: the idle probe holds logged-in connections/],
    [['probe'], /name a configured target .* or probe ad hoc with --server/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['probe', '--server', '127.0.0.1', '--instance', 'SQLEXPRESS', '--port', '1433'], /--instance: give --instance or --port, not both/],
    [['probe', '--server', '127.0.0.1', '--tls-audit', '1.5'], /--tls-audit: expected "1\.0", "1\.1", "1\.2" or "1\.3", got "1\.5"/],
    [['probe', '--server', '127.0.0.1', '--probes', 'tcp', '--tls-audit'], /--tls-audit: the audit is part of the tls probe; add tls to --probes/],
  ])('%j', async (args, message) => {
    const run = await runCli(cli, args as string[], args.includes('--rungs') ? { SQLPROBE_PASSWORD: 'x' } : {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('reports a broken setting as bad usage', async () => {
    const run = await runCli(cli, ['probe', '--server', '127.0.0.1'], { SQLPROBE_CONCURRENCY: 'many' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SQLPROBE_CONCURRENCY: expected an integer/);
  });
});

describe('sqlprobe idle', () => {
  it('shows progress per rung, then the ladder and the verdict', async () => {
    const run = await runCli(cli, ['idle', ...adHoc(idleSim), '--trust-server-certificate', '--rungs', '500ms,3s'], { SQLPROBE_PASSWORD: SIM_PASSWORD });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rung 500ms reached: checking 2 idle connection\(s\)/);
    expect(run.stdout).toMatch(/rung 3s reached/);
    // Not a terminal: a line per connection as its outcome settles, each after its rung's line and before the report.
    const lines = run.stdout.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    const report = at(/│/);
    for (const keepalive of ['on', 'off']) {
      const early = at(new RegExp(`rung 500ms · keepalive ${keepalive}: survived$`));
      const late = at(new RegExp(`rung 3s · keepalive ${keepalive}: closed by peer at [\\d.]+ s \\(fin\\)$`));
      expect(early).toBeGreaterThan(at(/rung 500ms reached/));
      expect(late).toBeGreaterThan(at(/rung 3s reached/));
      expect(late).toBeGreaterThan(early);
      expect(report).toBeGreaterThan(late);
    }
    expect(lines.filter((l) => / · keepalive (on|off): /.test(l))).toHaveLength(4);
    expect(run.stdout).toMatch(/500ms\s*│ survived\s*│ survived/);
    expect(run.stdout).toMatch(/3s\s*│ closed by peer at [\d.]+ s \(fin\)\s*│ closed by peer at [\d.]+ s \(fin\)/);
    expect(run.stdout).toMatch(/idle verdict: Gateway idle kill ≈ [\d.]+ s: closed by the peer with FIN/);
    expectNoSecret(run, SIM_PASSWORD);
  });

  it('refuses a configured target without credentials (auth none) with exit 2, before logging in', async () => {
    const targets = JSON.stringify([{ name: 'anon', server: idleSim.host, port: idleSim.gatewayPort, database: 'appdb', trustServerCertificate: true }]);
    const connects: unknown[] = [];
    const onEvent = (e: { kind: string }) => { if (e.kind === 'connect') connects.push(e); };
    idleSim.events.on('event', onEvent);
    try {
      const run = await runCli(cli, ['idle', 'anon', '--rungs', '300ms'], { SQLPROBE_TARGETS: targets });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/target "anon" has auth type none: .*not idle; give the target an auth \(sql, ntlm, managed-identity, service-principal, workload-identity or access-token\)/);
      expect(run.stdout).toBe('');
      expect(connects).toEqual([]);
    } finally {
      idleSim.events.off('event', onEvent);
    }
  });

  it('prints --json that validates, with progress kept off stdout', async () => {
    const run = await runCli(cli, ['idle', ...adHoc(idleSim), '--trust-server-certificate', '--rungs', '300ms', '--json'], { SQLPROBE_PASSWORD: SIM_PASSWORD });
    expect(run.code).toBe(0);
    const [result] = results.parse(JSON.parse(run.stdout));
    expect(result.probe).toBe('idle');
    expect(result.idle?.outcomes.map((o) => o.outcome)).toEqual(['survived', 'survived']);
    expect(run.stderr).toMatch(/rung 300ms reached/);
    expect(run.stderr).toMatch(/rung 300ms · keepalive on: survived\n/);
    expect(run.stderr).toMatch(/rung 300ms · keepalive off: survived\n/);
  });
});

describe('sqlprobe sim', () => {
  it('runs the simulator with its own flags until SIGTERM', async () => {
    const proc = spawnCli(cli, ['sim', '--port', '0', '--policy', 'redirect', '--node-port', '0']);
    await proc.waitFor(/sqlprobe-sim ready gateway=127\.0\.0\.1:\d+ node=127\.0\.0\.1:\d+/);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it('exits 2 on a bad simulator flag', async () => {
    const run = await runCli(cli, ['sim', '--error', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--error 1: use one of/);
  });
});

describe('the DBA checks from the command line', () => {
  let dbaSim: Simulator;
  beforeAll(async () => {
    dbaSim = await startSim({ encrypt: 'on', tls: certs.good, tlsVersions: ['1.0', '1.2'], browserPort: 0, instances: [{ name: 'SQLEXPRESS' }] });
  });
  afterAll(() => dbaSim?.stop());
  const tlsFlags = (s: Simulator) => ['--server', 'localhost', '--port', String(s.gatewayPort), '--ca-file', certs.caFile, '--probes', 'tls'];

  it('--tls-audit 1.2 fails a server that still accepts TLS 1.0, and says what to change', async () => {
    const run = await runCli(cli, ['probe', ...tlsFlags(dbaSim), '--tls-audit', '1.2']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✘ tls .*tls-below-minimum in tlsAudit/);
    expect(run.stdout).toContain('accepts TLS 1.0, 1.2 (minimum 1.2)');
    expect(run.stdout).toMatch(/→ .*Minimum TLS version/);
  });

  it('--tls-audit alone reports the versions and passes', async () => {
    const run = await runCli(cli, ['probe', ...tlsFlags(dbaSim), '--tls-audit', '--json']);
    expect(run.code).toBe(0);
    expect(results.parse(JSON.parse(run.stdout))[0].tls?.audit?.accepted).toEqual(['1.0', '1.2']);
  });

  it('a configured named instance is found through the Browser', async () => {
    const targets = JSON.stringify([{ name: 'express', server: 'localhost', database: 'appdb', instanceName: 'SQLEXPRESS', browser: { port: dbaSim.browserPort } }]);
    const run = await runCli(cli, ['probe', 'express', '--probes', 'tcp'], { SQLPROBE_TARGETS: targets });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`instance SQLEXPRESS on tcp ${dbaSim.gatewayPort} (Browser 127.0.0.1:${dbaSim.browserPort}/udp)`);
    expect(run.stdout).toMatch(/browser\s+ *█/);
  });
});
