/// <reference lib="dom" />
// The callbacks given to page.evaluate and waitForFunction run in the browser, on its DOM.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { visibleWidth } from '../../cli/report/terminal';
import { statusSchema, type Status } from '../../cli/status/schema';
import { colourSpread, launchChromium, type Browser } from '../helpers/browser';
import { BUILD_TIMEOUT_MS, buildCli, runCli, type BuiltCli } from './cli-process';
import { loggedLines, runInTerminal, type TerminalRun } from './terminal';

/** Where CI keeps what a failed run looked like (gitignored). */
const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
/** The width the terminal claims, as in the report of a new user's 150-column terminal. */
const COLUMNS = 150;
/** The demo's scaled ladder ends at 90 s of idle; its last cohort opens within the first idle ticks. */
const LADDER_MS = 240_000;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

let cli: BuiltCli;
let term: TerminalRun;
let browser: Browser;
let page: Page;
let base: string;
const requests: string[] = [];
const problems: string[] = [];
let navigations = 0;

async function apiStatus(): Promise<Status> {
  return statusSchema.parse(await (await fetch(`${base}api/status`)).json());
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  cli = await buildCli();
  term = runInTerminal(cli, ['start', '--metrics-port', String(await freePort())], COLUMNS);
  base = (await term.waitFor(/Status page: (http:\/\/127\.0\.0\.1:\d+\/)/))[1];
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations += 1;
  });
  await page.goto(base);
  // Gone after a reload: proves the page updated in place.
  await page.evaluate(() => Object.assign(window, { loadedOnce: true }));
}, BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  if (term) writeFileSync(join(ARTIFACTS, 'sqlprobe-start-terminal.log'), term.output());
  if (page && !page.isClosed()) await page.screenshot({ path: join(ARTIFACTS, 'status-page-last.png'), fullPage: true }).catch(() => undefined);
  await browser?.close();
  term?.kill();
  cli?.cleanup();
}, 60_000);

describe('sqlprobe start --metrics-port: bad usage', () => {
  it('exits 2 naming the flag and the fix, before probing anything', async () => {
    const bad = await runCli(cli, ['start', '--metrics-port', '70000']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe('sqlprobe: --metrics-port: expected an integer 0–65535, got "70000"\n');
    const hostOnly = await runCli(cli, ['start', '--metrics-host', '0.0.0.0']);
    expect(hostOnly.code).toBe(2);
    expect(hostOnly.stderr).toMatch(/--metrics-host: serves nothing without a port; add --metrics-port/);
    const setting = await runCli(cli, ['start'], { SQLPROBE_METRICS_PORT: 'http' });
    expect(setting.code).toBe(2);
    expect(setting.stderr).toMatch(/SQLPROBE_METRICS_PORT: expected an integer 0–65535/);
  }, 30_000);
});

describe('sqlprobe start --metrics-port: the status page in a real browser', () => {
  it('shows both demo targets in the grid, each with the path its logins take', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#grid-body td.path[data-policy]').length === 2, undefined, { timeout: 60_000 });
    const rows = await page.$$eval('#grid-body tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.target, (tr.querySelector('td.path') as HTMLElement).dataset.policy, tr.querySelector('td.path')?.textContent?.trim()]));
    expect(rows).toEqual([
      ['demo-proxy', 'proxy', expect.stringMatching(/proxy$/)],
      ['demo-redirect', 'redirect', expect.stringMatching(/redirect → 127\.0\.0\.1:\d+$/)],
    ]);
  }, 90_000);

  it("draws the last login's phase waterfall, with its table of numbers", async () => {
    // The first login may land before the simulator warms up; wait for one that got to its query.
    const phases = (target: string) => page.$$eval(`#t-${target}-wf-table tbody th`, (ths) => ths.map((th) => th.textContent));
    await page.waitForFunction(() => ['demo-proxy', 'demo-redirect'].every((t) => document.querySelector(`#t-${t}-wf-table`)?.textContent?.includes('query')), undefined, { timeout: 90_000 });
    expect(await phases('demo-proxy')).toEqual(['dns', 'tcp', 'prelogin', 'tls', 'login', 'initialSql', 'query']);
    expect(await phases('demo-redirect')).toEqual(['dns', 'tcp', 'prelogin', 'tls', 'login', 'reroute', 'initialSql', 'query']);
    expect(await page.getAttribute('#t-demo-redirect-section .wf-chart', 'aria-label')).toMatch(/^Phase waterfall of the login probe at .* succeeded .*reroute \d/);
  }, 120_000);

  it('serves /api/status as JSON that validates against the status schema', async () => {
    const status = await apiStatus();
    expect(status.demo).toBe(true);
    expect(status.targets.map((t) => [t.name, t.probes])).toEqual([
      ['demo-proxy', ['dns', 'tcp', 'tls', 'login', 'idle']],
      ['demo-redirect', ['dns', 'tcp', 'tls', 'login', 'idle']],
    ]);
  });

  it('after the scaled ladder, shows the survival chart and both verdicts without a reload', async () => {
    // Functions, not strings, for the page to evaluate: its policy forbids eval, as it should.
    await page.waitForFunction(() => ['demo-proxy', 'demo-redirect'].every((t) => {
      const table = document.querySelector(`#t-${t}-idle-table`);
      return table?.querySelectorAll('tbody td').length === 8 && !table.textContent?.includes('not reached');
    }), undefined, { timeout: LADDER_MS });
    await page.waitForFunction(() => /Gateway idle kill/.test(document.querySelector('#t-demo-proxy-section .verdict')?.textContent ?? ''), undefined, { timeout: 30_000 });
    const status = await apiStatus();
    const verdictOf = (name: string) => status.targets.find((t) => t.name === name)?.idle?.verdict;
    expect(verdictOf('demo-proxy')?.kind).toBe('gateway-idle-kill');
    expect(verdictOf('demo-redirect')?.kind).toBe('no-idle-kill');
    for (const name of ['demo-proxy', 'demo-redirect']) {
      await page.waitForFunction(([n, text]) => document.querySelector(`#t-${n}-section .verdict`)?.textContent?.includes(text), [name, verdictOf(name)!.text] as const, { timeout: 30_000 });
    }
    const proxyTable = await page.textContent('#t-demo-proxy-idle-table');
    expect(proxyTable).toMatch(/survived/);
    expect(proxyTable).toMatch(/closed by peer at \d+(\.\d)? s \(fin\)/);
    expect(await page.textContent('#t-demo-redirect-idle-table')).not.toMatch(/closed|dead/);
    expect(await page.textContent('#t-demo-proxy-section .recommendations')).toContain('Redirect connection policy');
    // The chart was drawn: Chart.js sized the canvas, and its label carries the outcomes.
    expect(await page.$eval('#t-demo-proxy-section .idle-chart', (c) => (c as HTMLCanvasElement).width)).toBeGreaterThan(100);
    expect(await page.getAttribute('#t-demo-proxy-section .idle-chart', 'aria-label')).toMatch(/closed by peer at .* Idle kill at about \d/);
    expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    expect(navigations).toBe(1);
  }, LADDER_MS + 90_000);

  it('has a text alternative for every chart, and never says a failure with colour alone', async () => {
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.title()).toBe('sqlprobe status');
    const charts = await page.$$eval('canvas', (canvases) => canvases.map((c) => {
      const table = document.getElementById(c.getAttribute('aria-describedby') ?? '');
      return { role: c.getAttribute('role'), label: c.getAttribute('aria-label') ?? '', table: table?.tagName, rows: table?.querySelectorAll('tbody tr').length ?? 0, numbers: /\d/.test(table?.textContent ?? '') };
    }));
    expect(charts).toHaveLength(6);
    for (const chart of charts) {
      expect(chart).toEqual({ role: 'img', label: expect.stringMatching(/\d/), table: 'TABLE', rows: expect.any(Number), numbers: true });
      expect(chart.rows).toBeGreaterThan(0);
    }
    // Everything styled as a failure or a warning says so in words, with an icon.
    const flagged = await page.$$eval('.badge.bad, .badge.warn, .outcome.bad, .outcome.warn', (els) => els.map((e) => e.textContent ?? ''));
    expect(flagged.length).toBeGreaterThan(0);
    for (const text of flagged) expect(text).toMatch(/^\s*[✘✖⚠].*[a-z]{3}/);
    expect(await page.$$eval('#t-demo-proxy-section .legend li', (lis) => lis.map((li) => li.textContent?.trim()))).toEqual(['✔ survived', '✖ closed by peer', '⚠ found dead by keepalive', '✖ dead on first use', '? inconclusive']);
    expect(await page.getAttribute('#live', 'role')).toBe('status');
  });

  it('makes no request to any host but its own, and logs no error', async () => {
    const origin = new URL(base).host;
    expect(requests.filter((u) => new URL(u).host !== origin)).toEqual([]);
    const paths = new Set(requests.map((u) => new URL(u).pathname));
    for (const p of ['/', '/app.js', '/status.css', '/vendor/chart.umd.min.js', '/api/status', '/api/events']) expect(paths).toContain(p);
    expect(problems).toEqual([]);
  });

  it('takes a screenshot that is not blank', async () => {
    const png = await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });
    const spread = await colourSpread(browser.context, png);
    expect(spread.colours).toBeGreaterThan(50);
    expect(spread.commonest).toBeLessThan(0.9);
  });

  it('in the terminal: prints each verdict once per change, wrapped between words to its width; Ctrl-C stops it', async () => {
    const status = await apiStatus();
    term.interrupt();
    expect(await term.exited).toBe(0);
    const logged = loggedLines(term.output());
    expect(logged.at(-1)).toEqual(['stopped']);
    // The terminal's width holds every row, the live table's included.
    expect(term.output().split(/\r\n|\r|\n/).filter((r) => visibleWidth(r) > COLUMNS)).toEqual([]);
    const lines = logged.map((r) => r.map((x) => x.trim()).join(' '));
    expect(logged.some((r) => r.length > 1)).toBe(true);
    for (const target of status.targets) {
      const prefix = `${target.name} idle verdict: `;
      const said = lines.flatMap((l, i) => (l.startsWith(prefix) ? [{ i, text: l.slice(prefix.length) }] : []));
      expect(said.length).toBeGreaterThan(0);
      said.slice(1).forEach((v, k) => expect(v.text).not.toBe(said[k].text));
      const verdict = target.idle!.verdict!;
      const last = said.at(-1)!;
      expect(last.text).toBe(verdict.text);
      // Rows joined with a space give each recommendation back: no word was cut.
      expect(lines.slice(last.i + 1, last.i + 1 + verdict.recommendations.length)).toEqual(verdict.recommendations.map((r) => `→ ${r}`));
    }
  }, 60_000);
});
