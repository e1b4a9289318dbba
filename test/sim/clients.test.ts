import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SimConfigInput, SimEvent, Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { startSim } from '../helpers/sim';
import { describeIfAble, missingFiles } from '../helpers/strict-ci';

/** Independent TDS clients cross-check the simulator; .ci/run installs them from Debian. */
const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const JTDS = '/usr/share/java/jtds.jar';
// Outside CI a missing client skips its tests; in CI it fails them.
const missing = {
  tsql: missingFiles('/usr/bin/tsql'),
  pytds: missingFiles('/usr/lib/python3/dist-packages/pytds'),
  jtds: missingFiles(JTDS, '/usr/bin/java'),
};

let certs: TestCerts;
let tmp: string;
let sim: Simulator | undefined;
let logins: SimEvent[] = [];
let prelogins: string[] = [];
beforeAll(() => {
  certs = createTestCerts();
  tmp = mkdtempSync(join(tmpdir(), 'sqlprobe-clients-'));
});
afterAll(() => {
  certs.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function simWith(config: SimConfigInput): Promise<Simulator> {
  sim = await startSim({ tls: certs.good, ...config });
  logins = [];
  prelogins = [];
  sim.events.on('event', (e) => {
    if (e.kind === 'login') logins.push(e);
    if (e.kind === 'prelogin') prelogins.push(e.detail ?? '');
  });
  return sim;
}

/** Checks "<one> <spid>" printed by a client against the session the simulator logged in. */
function expectOneAndSpid(stdout: string, listener = 'gateway'): void {
  const [one, spid] = stdout.trim().split(/\s+/).map(Number);
  expect(one).toBe(1);
  expect(logins.map((e) => e.listener)).toEqual([listener]);
  expect(logins[0].detail).toContain(`spid=${spid} `);
}

describeIfAble('FreeTDS tsql', missing.tsql, () => {
  async function tsql(s: Simulator, encryption: string): Promise<string> {
    const conf = join(tmp, `freetds-${encryption}.conf`);
    writeFileSync(
      conf,
      `[sim]\n  host = 127.0.0.1\n  port = ${s.gatewayPort}\n  tds version = 7.4\n  encryption = ${encryption}\n` +
        `  ca file = ${certs.caFile}\n  check certificate hostname = yes\n`,
    );
    const child = run('tsql', ['-S', 'sim', '-U', 'sqlprobe', '-P', 'Sim-Passw0rd', '-o', 'q'], { env: { ...process.env, FREETDSCONF: conf }, timeout: 15_000 });
    child.child.stdin?.end('SELECT 1\ngo\nSELECT @@SPID\ngo\nquit\n');
    return (await child).stdout;
  }

  test.each([
    ['off', 'off', 'none'],
    ['request', 'off', 'login-only'],
    ['request', 'on', 'full'],
    ['require', 'on', 'full'],
  ] as const)('encryption = %s', async (encryption, setting, outcome) => {
    const s = await simWith({ encrypt: setting });
    expectOneAndSpid(await tsql(s, encryption));
    expect(prelogins[0]).toMatch(new RegExp(` ${outcome}$`));
  });
});

describeIfAble('pytds', missing.pytds, () => {
  const probe = join(__dirname, 'clients', 'pytds_probe.py');
  const pytds = async (port: number, mode: string): Promise<string> =>
    (await run(PYTHON, [probe, String(port), mode, certs.caFile], { timeout: 15_000 })).stdout;

  test.each([
    ['none', 'notsup', 'none'],
    ['full', 'on', 'full'],
    ['login-only', 'off', 'login-only'],
  ] as const)('encryption %s', async (mode, setting, outcome) => {
    const s = await simWith({ encrypt: setting });
    expectOneAndSpid(await pytds(s.gatewayPort, mode));
    expect(prelogins[0]).toMatch(new RegExp(` ${outcome}$`));
  });

  test('follows the routing ENVCHANGE to the node port', async () => {
    const s = await simWith({ policy: 'redirect', encrypt: 'notsup' });
    const redirects: SimEvent[] = [];
    s.events.on('event', (e) => e.kind === 'redirect' && redirects.push(e));
    expectOneAndSpid(await pytds(s.gatewayPort, 'none'), 'node');
    expect(redirects.map((e) => e.detail)).toEqual([`127.0.0.1:${s.nodePort}`]);
  });
});

describeIfAble('jTDS (TDS 7.1)', missing.jtds, () => {
  const source = join(__dirname, 'clients', 'JtdsProbe.java');
  // With ssl=off jTDS skips PRELOGIN at TDS 7.1 and sends its login in the clear; with require it
  // negotiates TLS for the whole session.
  test.each([
    ['off', 'off', []],
    ['require', 'on', ['full']],
  ] as const)('ssl=%s', async (ssl, setting, outcomes) => {
    const s = await simWith({ encrypt: setting });
    const { stdout } = await run('java', ['-cp', JTDS, source, String(s.gatewayPort), ssl], { timeout: 30_000 });
    expectOneAndSpid(stdout);
    expect(prelogins.map((p) => p.split(' ').at(-1))).toEqual(outcomes);
  });
});

describe('openssl s_client', () => {
  test('strict mode negotiates ALPN tds/8.0 with a verified certificate', async () => {
    const s = await simWith({ strict: true, encrypt: 'on' });
    const child = run('openssl', ['s_client', '-connect', `127.0.0.1:${s.gatewayPort}`, '-alpn', 'tds/8.0', '-CAfile', certs.caFile, '-verify_hostname', 'localhost'], {
      timeout: 10_000,
    });
    child.child.stdin?.end();
    const { stdout } = await child;
    expect(stdout).toContain('ALPN protocol: tds/8.0');
    expect(stdout).toContain('Verify return code: 0 (ok)');
  });
});
