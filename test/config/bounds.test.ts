import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../../shared/config';

const ROOT = resolve(__dirname, '../..');
const valid = { name: 'orders', server: 'orders.database.windows.net', database: 'orders' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

const targetProblems = (patch: Record<string, unknown>): string[] => loadConfig({ SQLPROBE_TARGETS: JSON.stringify([{ ...valid, ...patch }]) }).problems;

describe('settings bounds', () => {
  it('refuses a probe deadline of days (600h overflowed Node timers into 1 ms: every probe "timed out" at once)', () => {
    expect(problemsOf({ SQLPROBE_PROBE_TIMEOUT: '600h' })).toEqual([
      'SQLPROBE_PROBE_TIMEOUT: expected a duration from 1s to 10m (a probe deadline cannot outlast the function timeout), such as "30s", got "600h"',
    ]);
    expect(problemsOf({ SQLPROBE_PROBE_TIMEOUT: '500ms' })[0]).toMatch(/^SQLPROBE_PROBE_TIMEOUT: expected a duration from 1s to 10m/);
    expect(loadConfig({ SQLPROBE_PROBE_TIMEOUT: '10m' }).settings.SQLPROBE_PROBE_TIMEOUT).toBe(600_000);
  });

  it('refuses a retry delay past 60 s, so 1000000h never retries at once', () => {
    expect(problemsOf({ SQLPROBE_RETRY_DELAY: '1000000h' })).toEqual(['SQLPROBE_RETRY_DELAY: expected "off" or a duration up to 60s such as "5s", got "1000000h"']);
  });

  it('takes an on-demand login cool-down of 1s to 1h, or off, and defaults to 5s', () => {
    expect(loadConfig({}).settings.SQLPROBE_LOGIN_COOLDOWN).toBe(5000);
    expect(loadConfig({ SQLPROBE_LOGIN_COOLDOWN: 'off' }).settings.SQLPROBE_LOGIN_COOLDOWN).toBe(0);
    expect(loadConfig({ SQLPROBE_LOGIN_COOLDOWN: '1h' }).settings.SQLPROBE_LOGIN_COOLDOWN).toBe(3_600_000);
    for (const bad of ['100ms', '2h', 'soon']) {
      expect(problemsOf({ SQLPROBE_LOGIN_COOLDOWN: bad })).toEqual([
        `SQLPROBE_LOGIN_COOLDOWN: expected "off" or a duration from 1s to 1h such as "5s" (on-demand login probes of one target at most once per this long), got "${bad}"`,
      ]);
    }
  });
});

describe('schedules, checked by croner when the settings load', () => {
  const NCRONTAB = 'expected a six-field NCRONTAB schedule such as "0 */5 * * * *" (seconds first)';
  it.each([
    ['a b c d e f', `${NCRONTAB}: configuration entry 0 (a) contains illegal characters`],
    ['99 * * * * *', `${NCRONTAB}: Invalid value for second: 99`],
    ['0 */0 * * * *', `${NCRONTAB}: Syntax error, illegal stepping: 0`],
    ['0 0 0 31 2 *', 'never fires: no date matches it (such as the 31st of February); expected a schedule such as "0 */5 * * * *"'],
    ['*/5 * * * * *', 'fires 5 s apart at its closest; expected at most one tick every 10 s (a round needs time to finish before the next one), such as "*/10 * * * * *" or "0 */5 * * * *"'],
    ['0,3 * * * * *', 'fires 3 s apart at its closest; expected at most one tick every 10 s (a round needs time to finish before the next one), such as "*/10 * * * * *" or "0 */5 * * * *"'],
    ['0 0 12 L * *', `${NCRONTAB}: "L" is croner's, not NCRONTAB's (numbers, *, ranges a-b, lists a,b, steps */n and month or day names only)`],
  ])('refuses the connectivity schedule %j, naming the setting and the reason', (schedule, reason) => {
    expect(problemsOf({ SQLPROBE_CONNECTIVITY_SCHEDULE: schedule })).toEqual([`SQLPROBE_CONNECTIVITY_SCHEDULE: ${reason}, got "${schedule}"`]);
  });

  it('counts the gap across midnight: 23:59:55 and 00:00:00 are 5 s apart', () => {
    expect(problemsOf({ SQLPROBE_CONNECTIVITY_SCHEDULE: '0,55 0,59 0,23 * * *' })[0]).toMatch(/^SQLPROBE_CONNECTIVITY_SCHEDULE: fires 5 s apart/);
  });

  it('refuses an idle schedule that never fires, and one more often than every 5 s', () => {
    expect(problemsOf({ SQLPROBE_IDLE_SCHEDULE: '0 0 0 30 2 *' })[0]).toMatch(/^SQLPROBE_IDLE_SCHEDULE: never fires/);
    expect(problemsOf({ SQLPROBE_IDLE_SCHEDULE: '* * * * * *' })[0]).toMatch(/^SQLPROBE_IDLE_SCHEDULE: fires 1 s apart at its closest; expected at most one tick every 5 s/);
  });

  it('takes schedules with names, ranges and lists, and rare ones', () => {
    const { settings } = loadConfig({ SQLPROBE_CONNECTIVITY_SCHEDULE: '0 0 12 * * MON-FRI', SQLPROBE_IDLE_SCHEDULE: '*/5 * * * * *' });
    expect(settings.SQLPROBE_CONNECTIVITY_SCHEDULE).toBe('0 0 12 * * MON-FRI');
    expect(loadConfig({ SQLPROBE_CONNECTIVITY_SCHEDULE: '0 0 0 29 2 *' }).settings.SQLPROBE_CONNECTIVITY_SCHEDULE).toBe('0 0 0 29 2 *');
    expect(loadConfig({ SQLPROBE_CONNECTIVITY_SCHEDULE: '*/10 * * * * *' }).settings.SQLPROBE_CONNECTIVITY_SCHEDULE).toBe('*/10 * * * * *');
  });
});

describe('target field bounds', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a rung of 600h', { idle: { rungs: ['600h'] } }, 'SQLPROBE_TARGETS[0].idle.rungs[0]: expected a duration from 100ms to 4h (an idle rung: the timers it looks for are minutes to an hour), such as "31m", got "600h"'],
    ['25 rungs', { idle: { rungs: Array(25).fill('1m') } }, 'SQLPROBE_TARGETS[0].idle.rungs: expected at most 24 rungs, e.g. ["5m", "31m"] (each holds connections for its whole age), got an array'],
    ['rungs adding up to 16h', { idle: { rungs: ['4h', '4h', '4h', '4h'] } }, 'SQLPROBE_TARGETS[0].idle.rungs: expected rungs adding up to at most 12h (these add up to 16h; each holds its connections for its whole age): drop or shorten some, got an array'],
    ['a cohort every 30s', { idle: { cohortEvery: '30s' } }, 'SQLPROBE_TARGETS[0].idle.cohortEvery: expected a duration from 1m to 24h (a new cohort every minute to every day), such as "1h", got "30s"'],
    ['a keepalive idle of 3h', { idle: { keepaliveIdle: '3h' } }, 'SQLPROBE_TARGETS[0].idle.keepaliveIdle: expected a duration from 100ms to 2h (up to Linux\'s own 2-hour default), such as "30s", got "3h"'],
    ['a use timeout of 10m', { idle: { useTimeout: '10m' } }, 'SQLPROBE_TARGETS[0].idle.useTimeout: expected a duration from 100ms to 5m (an app\'s request timeout), such as "15s", got "10m"'],
    ['a pool idle of 5h', { pool: { idleFor: '5h' } }, 'SQLPROBE_TARGETS[0].pool.idleFor: expected a duration from 100ms to 4h (as long as an idle rung at most), such as "5m", got "5h"'],
  ])('refuses %s, naming the field, the bound and the fix', (_what, patch, problem) => {
    expect(targetProblems(patch)).toEqual([problem]);
  });

  it('takes a ladder at its bounds', () => {
    const ladder = (rungs: string[]) => loadConfig({ SQLPROBE_TARGETS: JSON.stringify([{ ...valid, idle: { rungs } }]) }).targets[0]?.idle.rungs;
    expect(ladder(['4h', '4h', '4h'])).toEqual([14_400_000, 14_400_000, 14_400_000]);
    expect(ladder([...Array(23).fill('1m'), '100ms'])).toHaveLength(24);
  });
});

describe('caFile, checked when the config loads', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlprobe-ca-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a caFile that does not exist as a problem of that target, naming the field, and runs the others', () => {
    const { targets, problems } = loadConfig({ SQLPROBE_TARGETS: JSON.stringify([{ ...valid, caFile: '/nonexistent/ca.pem' }, { ...valid, name: 'billing' }]) });
    expect(problems).toEqual([`SQLPROBE_TARGETS[0].caFile: cannot read "/nonexistent/ca.pem" (ENOENT); give the path to the PEM file of the CA that signs the server's certificate`]);
    expect(targets.map((t) => t.name)).toEqual(['billing']);
  });

  it('refuses a device, a directory and a file that holds no certificate', () => {
    const notPem = join(dir, 'notes.txt');
    writeFileSync(notPem, 'not a certificate');
    expect(targetProblems({ caFile: '/dev/zero' })).toEqual([`SQLPROBE_TARGETS[0].caFile: cannot read "/dev/zero" (ENOTREG); give the path to the PEM file of the CA that signs the server's certificate`]);
    expect(targetProblems({ caFile: dir })[0]).toMatch(/\(ENOTREG\)/);
    expect(targetProblems({ caFile: notPem })).toEqual([`SQLPROBE_TARGETS[0].caFile: "${notPem}" holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); give the path to the PEM file of the CA that signs the server's certificate`]);
  });
});

/** Loads the config in a child process, so a read that never ends (as on a device or a FIFO) cannot hang the suite. */
async function loadInChild(env: Record<string, string>): Promise<string[]> {
  const script = `const { loadConfig } = require(${JSON.stringify(join(ROOT, 'shared/config'))});
try { loadConfig(${JSON.stringify(env)}); console.log('[]'); } catch (e) { console.log(JSON.stringify(e.problems ?? [String(e)])); }`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', join(ROOT, 'test/helpers/ts-register.js'), '-e', script], { timeout: 20_000 });
  return JSON.parse(stdout) as string[];
}

describe('SQLPROBE_TARGETS_FILE: a regular file, with a size cap', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlprobe-targets-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses /dev/zero at once instead of reading it forever', async () => {
    expect(await loadInChild({ SQLPROBE_TARGETS_FILE: '/dev/zero' })).toEqual([
      'SQLPROBE_TARGETS_FILE: cannot read "/dev/zero" (ENOTREG); give the path to a regular JSON file, not a device, a pipe or a directory',
    ]);
  });

  it('refuses a FIFO without waiting for a writer, and a directory', async () => {
    const fifo = join(dir, 'targets.fifo');
    await promisify(execFile)('mkfifo', [fifo]);
    expect(await loadInChild({ SQLPROBE_TARGETS_FILE: fifo })).toEqual([`SQLPROBE_TARGETS_FILE: cannot read "${fifo}" (ENOTREG); give the path to a regular JSON file, not a device, a pipe or a directory`]);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(problemsOf({ SQLPROBE_TARGETS_FILE: sub })[0]).toMatch(/^SQLPROBE_TARGETS_FILE: cannot read ".*sub" \(ENOTREG\)/);
  });

  it('refuses a file over 1 MiB, and the same much JSON in SQLPROBE_TARGETS', () => {
    const big = join(dir, 'big.json');
    const json = JSON.stringify(Array.from({ length: 30_000 }, (_, i) => ({ ...valid, name: `t${i}` })));
    expect(json.length).toBeGreaterThan(1024 * 1024);
    writeFileSync(big, json);
    expect(problemsOf({ SQLPROBE_TARGETS_FILE: big })).toEqual([`SQLPROBE_TARGETS_FILE: cannot read "${big}" (EFBIG); keep it under 1024 KiB: split the targets over several apps`]);
    expect(problemsOf({ SQLPROBE_TARGETS: json })[0]).toMatch(/^SQLPROBE_TARGETS: expected at most 1024 KiB of JSON; split the targets over several apps/);
  });
});

describe('bad targets, summarised', () => {
  it('lists 20 problems and counts the rest: 10,000 broken targets are not 10,000 lines', () => {
    const broken = Array.from({ length: 10_000 }, (_, i) => ({ ...valid, name: `t${i}`, port: 0 }));
    const { targets, problems } = loadConfig({ SQLPROBE_TARGETS: JSON.stringify(broken) });
    expect(targets).toEqual([]);
    expect(problems).toHaveLength(21);
    expect(problems[0]).toBe('SQLPROBE_TARGETS: 10000 targets, but one app probes at most 1000: SQLPROBE_TARGETS[1000] and after are skipped; split the targets over several apps');
    expect(problems[1]).toBe('SQLPROBE_TARGETS[0].port: expected an integer 1–65535, got 0');
    expect(problems[20]).toBe('SQLPROBE_TARGETS: 981 more problem(s) not listed; fix the ones above and load again to see them');
  });

  it('lists every problem up to 20', () => {
    const broken = Array.from({ length: 20 }, (_, i) => ({ ...valid, name: `t${i}`, port: 0 }));
    expect(loadConfig({ SQLPROBE_TARGETS: JSON.stringify([...broken, valid]) }).problems).toHaveLength(20);
  });
});
