/// <reference lib="dom" />
// The callbacks given to page.evaluate and waitForFunction run in the browser, on its DOM.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { serveLocal } from '../../cli/serve/endpoint';
import type { LocalServer } from '../../cli/serve/server';
import { StatusModel } from '../../cli/status/model';
import { statusRoutes } from '../../cli/status/routes';
import { targetSchema, type Target } from '../../shared/config';
import { PROBERS } from '../../shared/probers';
import type { ProbeResult } from '../../shared/contract';
import { runRound } from '../../shared/runner';
import type { Simulator } from '../../sim';
import { launchChromium, type Browser } from '../helpers/browser';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_USER, startSim } from '../helpers/sim';
import { LOGIN_FAILED, result } from '../helpers/results';

/** Markup in a server's error text: the page must show it as text and never load what it names. */
const HOSTILE = '<img src="http://evil.example/pixel.png" onerror="document.title=\'owned\'"><script>document.title="owned"</script>';

let certs: TestCerts;
let sim: Simulator;
let server: LocalServer;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const recorded: ProbeResult[] = [];

async function closedPort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  certs = createTestCerts();
  sim = await startSim({ tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile }, encrypt: 'on' });
  const targets: Target[] = [
    targetSchema.parse({ name: 'wrong-password', server: sim.host, port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile, auth: { type: 'sql', user: SIM_USER, passwordSetting: 'WRONG_PW' } }),
    targetSchema.parse({ name: 'nothing-listens', server: '127.0.0.1', port: await closedPort(), database: 'appdb', probes: ['tcp'] }),
  ];
  const model = new StatusModel(targets, { region: 'test', demo: false });
  // A real round against the simulator: the results are what the probers make of a wrong password and a closed port.
  await runRound(targets, { region: 'test', timeoutMs: 10_000, concurrency: 2, probers: PROBERS, env: { WRONG_PW: 'not-the-password' }, onResult: (r) => {
    recorded.push(r);
    model.record(r);
  } });
  model.record(result({ target: 'hostile', success: false, error: { ...LOGIN_FAILED, message: HOSTILE, recommendation: HOSTILE } }));
  server = await serveLocal({ host: '127.0.0.1', port: 0, loopback: true }, statusRoutes(model), () => {});
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.querySelectorAll('#grid-body tr').length === 3);
}, 60_000);

afterAll(async () => {
  // What the page looked like, where CI keeps it (gitignored).
  const artifacts = resolve(__dirname, '../../test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  if (page) await page.screenshot({ path: join(artifacts, 'status-page-failures.png'), fullPage: true }).catch(() => undefined);
  await browser?.close();
  await server?.close();
  await sim?.stop();
  certs?.cleanup();
});

describe('the status page shows failures', () => {
  it('in the grid, by probe and class, in words', async () => {
    const cell = (target: string) => page.textContent(`#grid-body tr[data-target="${target}"] td.results`);
    expect(await cell('wrong-password')).toMatch(/✔ dns.*✔ tcp.*✔ tls.*✘ login: login-failed/);
    expect(await cell('nothing-listens')).toBe('✘ tcp: tcp-refused');
  });

  it("with the class, the server's error and what to do, and the failed phase in the waterfall", async () => {
    const login = recorded.find((r) => r.target === 'wrong-password' && r.probe === 'login')!;
    expect(login.error?.class).toBe('login-failed');
    const failed = await page.textContent('#t-wrong-password-section .results-list li.failed');
    expect(failed).toContain(`login-failed in login (error 18456 state ${login.error!.state})`);
    expect(failed).toContain(login.error!.recommendation);
    expect(await page.$$eval('#t-wrong-password-wf-table tbody th', (ths) => ths.map((th) => th.textContent))).toContain('login (failed here)');
    expect(await page.getAttribute('#t-wrong-password-section .wf-chart', 'aria-label')).toMatch(/failed in login/);
    const refused = recorded.find((r) => r.target === 'nothing-listens')!;
    expect(await page.textContent('#t-nothing-listens-section .results-list')).toContain(refused.error!.recommendation);
  });

  it('shows markup in an error as text, and loads nothing it names', async () => {
    const text = await page.textContent('#t-hostile-section .results-list li.failed');
    expect(text).toContain(HOSTILE);
    expect(await page.$$('#targets img, #targets script')).toEqual([]);
    expect(await page.title()).toBe('sqlprobe status');
    const origin = new URL(server.url).host;
    expect(requests.filter((u) => new URL(u).host !== origin)).toEqual([]);
  });

  it('never by colour alone', async () => {
    const bad = await page.$$eval('.badge.bad', (els) => els.map((e) => e.textContent ?? ''));
    expect(bad.length).toBeGreaterThanOrEqual(3);
    for (const text of bad) expect(text).toMatch(/^✘ \S.*[a-z]{3}/);
  });
});
