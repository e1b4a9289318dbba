import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { SimEvent, Simulator } from '../../sim';
import { describeWithNetns, TestNetns } from '../helpers/netns';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';
import { describeIfAble, missingFiles } from '../helpers/strict-ci';

/**
 * Independent clients cross-check the simulator's SQL Server Browser and its NTLMv2 check: FreeTDS
 * (tsql) and pytds, from Debian. Drivers always ask the Browser on UDP 1434, which the host may not
 * have free, so the named-instance checks run the simulator and the clients in a network namespace
 * of the test's own, where 1434 is theirs.
 */
const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
// Outside CI a missing client skips its tests; in CI it fails them.
const missing = { tsql: missingFiles('/usr/bin/tsql'), pytds: missingFiles('/usr/lib/python3/dist-packages/pytds') };

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sqlprobe-dba-clients-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** tsql with a config file of its own; stdin holds the batches. */
async function tsql(args: string[], conf: string, stdin: string, wrap: string[] = []): Promise<{ stdout: string; stderr: string; code: number }> {
  const child = spawn(wrap[0] ?? 'tsql', [...wrap.slice(1), ...(wrap.length ? ['tsql'] : []), ...args], { env: { ...process.env, FREETDSCONF: conf } });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => err.push(d.toString()));
  child.stdin.end(stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  return { stdout: out.join(''), stderr: err.join(''), code };
}

describeIfAble('FreeTDS tsql, Windows (NTLM) logins', missing.tsql, () => {
  let sim: Simulator;
  const events: SimEvent[] = [];
  beforeAll(async () => {
    sim = await startSim({ windows: { domain: 'CONTOSO', dnsDomain: 'contoso.test' }, servers: [{ windowsLogins: [{ domain: 'CONTOSO', user: 'svc-probe', password: SIM_PASSWORD }] }] });
    sim.events.on('event', (e) => events.push(e));
  });
  afterAll(() => sim.stop());

  const login = async (user: string, password: string) => {
    const conf = join(tmp, 'freetds-ntlm.conf');
    writeFileSync(conf, `[sim]\n  host = 127.0.0.1\n  port = ${sim.gatewayPort}\n  tds version = 7.4\n  encryption = off\n`);
    events.length = 0;
    return tsql(['-S', 'sim', '-U', user, '-P', password, '-o', 'q'], conf, 'SELECT @@SPID\ngo\nquit\n');
  };

  it("logs in as DOMAIN\\user, and the simulator verifies FreeTDS's NTLMv2 response", async () => {
    const r = await login('CONTOSO\\svc-probe', SIM_PASSWORD);
    expect(r.code).toBe(0);
    const spid = Number(r.stdout.trim());
    expect(events.filter((e) => e.kind === 'sspi').map((e) => e.detail)).toEqual(['challenge from CONTOSO', 'NTLMv2 verified for CONTOSO\\svc-probe']);
    expect(events.find((e) => e.kind === 'login')?.detail).toBe(`spid=${spid} sqlprobe-sim/master as CONTOSO\\svc-probe`);
  });

  it('a wrong domain password and another domain both get 18452, as from SQL Server', async () => {
    for (const [user, password, reason] of [['CONTOSO\\svc-probe', 'not-the-password', 'wrong password for CONTOSO\\svc-probe'], ['FABRIKAM\\svc-probe', SIM_PASSWORD, 'untrusted domain FABRIKAM']]) {
      const r = await login(user, password);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain('Msg 18452');
      expect(events.find((e) => e.kind === 'login-failed')?.detail).toBe(`18452 ${reason}`);
    }
  });
});

/** Starts the simulator inside the namespace, on 127.0.0.1:1433 with its Browser on UDP 1434, and waits for its ready line. */
async function simInNamespace(ns: TestNetns, args: string[]): Promise<{ child: ChildProcess; events: string[] }> {
  const child = ns.spawnTs(ns.name, 'sim/main.ts', ['--host', '127.0.0.1', '--port', '1433', ...args]);
  const events: string[] = [];
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    // The child compiles the simulator's TypeScript as it loads: slow on a busy machine.
    const timer = setTimeout(() => reject(new Error('the simulator did not start in the namespace')), 60_000);
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code})`)));
    lines.on('line', (line) => {
      events.push(line);
      if (line.startsWith('sqlprobe-sim ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { child, events };
}

describeWithNetns('named instances on UDP 1434, in a namespace of the test', () => {
  let ns: TestNetns;
  let sim: { events: string[] };
  const inNs = (cmd: string, args: string[]) => run('ip', ['netns', 'exec', ns.name, cmd, ...args], { timeout: 20_000 });
  beforeAll(async () => {
    ns = new TestNetns([]);
    sim = await simInNamespace(ns, ['--instance', 'SQLEXPRESS', '--instance', 'PIPESONLY:off']);
  }, 90_000);
  afterAll(() => ns?.close());

  describeIfAble('FreeTDS', missing.tsql, () => {
    it('tsql -S 127.0.0.1\\SQLEXPRESS finds the port through the Browser and logs in', async () => {
      const r = await tsql(['-S', '127.0.0.1\\SQLEXPRESS', '-U', SIM_USER, '-P', SIM_PASSWORD, '-o', 'q'], join(tmp, 'none.conf'), 'SELECT 1\ngo\nquit\n', ['ip', 'netns', 'exec', ns.name]);
      expect(r.stdout.trim()).toBe('1');
      // FreeTDS asks for the one instance (CLNT_UCAST_INST), as SqlClient does.
      expect(sim.events.some((l) => / browser - browser instance SQLEXPRESS from 127\.0\.0\.1:\d+: tcp 1433$/.test(l))).toBe(true);
    });
  });

  describeIfAble('pytds', missing.pytds, () => {
    const script = join(__dirname, 'clients', 'pytds_instance.py');
    it('finds the port of server\\instance through the Browser and logs in', async () => {
      const { stdout } = await inNs(PYTHON, [script, 'SQLEXPRESS']);
      expect(stdout.trim()).toMatch(/^1 \d+$/);
      // pytds asks for the list (CLNT_UCAST_EX) and picks the instance from it.
      expect(sim.events.some((l) => / browser - browser list from 127\.0\.0\.1:\d+: 2 instance\(s\)$/.test(l))).toBe(true);
    });

    it('and sees the same instances the probe reports', async () => {
      const { stdout } = await inNs(PYTHON, [script, '--list']);
      expect(JSON.parse(stdout)).toEqual({ PIPESONLY: null, SQLEXPRESS: 1433 });
    });
  });

  it("sqlprobe's tcp and tls probes ask the same Browser on 1434 by default", async () => {
    const t = { name: 'ns', server: '127.0.0.1', database: 'master', instanceName: 'SQLEXPRESS', trustServerCertificate: true };
    const tcp = await ns.probe('tcp', t, 5000);
    expect(tcp).toMatchObject({ success: true, port: 1433, browser: { port: 1434, outcome: 'found', tcpPort: 1433 } });
    // Found by its own answer, which comes first: the probe does not wait for the list.
    expect(tcp.browser?.instances).toEqual([{ name: 'SQLEXPRESS', tcpPort: 1433, version: '16.0.1000.6', clustered: false }]);
    const tls = await ns.probe('tls', t, 5000);
    expect(tls).toMatchObject({ port: 1433, browser: { port: 1434, outcome: 'found' }, tls: { serverVersion: '12.0.2000.8' } });
    const missing = await ns.probe('tcp', { ...t, instanceName: 'NOSUCH' }, 5000);
    expect(missing.error).toMatchObject({ class: 'instance-not-found', phase: 'browser' });
    expect(missing.error?.message).toBe('the SQL Server Browser at 127.0.0.1:1434/udp does not list instance NOSUCH; it lists SQLEXPRESS (tcp 1433), PIPESONLY (no tcp)');
    // Each probe runs in a child that compiles the engine as it loads: slow on a busy machine.
  }, 120_000);
});
