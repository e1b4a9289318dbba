/**
 * Cold starts, each in a fresh process, against the simulator (classic TLS, no delay), every goal a
 * ratio to a baseline measured in the same run: the Functions entry against `@azure/functions` alone
 * (and its first probe against that plus one raw tedious login), and the CLI against bare node with
 * commander (and a one-shot `sqlprobe probe` against a raw tedious script doing the same login).
 */
import { fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import { start } from '../sim';
import { createTestCerts } from '../test/helpers/certs';
import type { ColdStart, ColdStartConfig } from './cold-start-child';
import { machine, medianRange, quantile } from './stats';

export const name = 'coldstart';

const RUNS = Number(process.env.COLDSTART_BENCH_RUNS ?? 9);
const USER = 'bench';
const PASSWORD = 'Bench-Passw0rd';
const ROOT = join(__dirname, '..', '..');
const GOAL = { registered: 1.2, firstProbe: 1.3, version: 1.5, probe: 1.2 };

function forked(scenario: string, config: ColdStartConfig): Promise<ColdStart> {
  return new Promise((resolve, reject) => {
    // @azure/functions warns on stderr that it runs without a host; shown only when the child fails.
    const child = fork(join(__dirname, 'cold-start-child.js'), [scenario, JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('message', (m: ColdStart) => resolve(m));
    child.once('exit', (code) => (code ? reject(new Error(`cold start "${scenario}" exited with ${code}: ${stderr}`)) : undefined));
  });
}

/** Wall time of a whole process, from spawn to exit, as a user at a prompt sees it. */
function timedProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`))));
  });
}

export async function run(): Promise<string> {
  const certs = createTestCerts();
  const sim = await start({ host: '127.0.0.1', port: 0, encrypt: 'on', tls: certs.good, servers: [{ logins: [{ user: USER, password: PASSWORD }], databases: ['orders'] }] });
  const config: ColdStartConfig = { port: sim.gatewayPort, caFile: certs.caFile, user: USER, password: PASSWORD };
  const cli = join(__dirname, '..', 'cli', 'main.js');
  const cliEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SQLPROBE_') && !k.startsWith('APPLICATIONINSIGHTS_'))), SQLPROBE_PASSWORD: PASSWORD, NO_COLOR: '1' };
  const t = { functions: [] as number[], registered: [] as number[], raw: [] as number[], firstProbe: [] as number[], commander: [] as number[], version: [] as number[], tedious: [] as number[], probe: [] as number[] };
  const machineLine = machine();
  try {
    // Interleaved, after one warm-up round that fills the disk cache.
    for (let i = 0; i <= RUNS; i++) {
      const round = {
        functions: (await forked('functions', config)).registeredMs!,
        registered: 0,
        raw: (await forked('raw', config)).firstProbeMs!,
        firstProbe: 0,
        commander: await timedProcess(['-e', "require('commander')"]),
        version: await timedProcess([cli, '--version']),
        tedious: await timedProcess([join(__dirname, 'cold-start-child.js'), 'tedious', JSON.stringify(config)]),
        probe: await timedProcess([cli, 'probe', '--server', '127.0.0.1', '--port', String(config.port), '--database', 'orders', '--user', USER, '--ca-file', certs.caFile, '--probes', 'login'], cliEnv),
      };
      const entry = await forked('entry', config);
      round.registered = entry.registeredMs!;
      round.firstProbe = entry.firstProbeMs!;
      if (i > 0) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k].push(round[k]);
      process.stderr.write(`cold start run ${i}/${RUNS}: registered ${round.registered.toFixed(0)} ms (functions ${round.functions.toFixed(0)}), first probe ${round.firstProbe.toFixed(0)} ms (raw ${round.raw.toFixed(0)}), --version ${round.version.toFixed(0)} ms, probe ${round.probe.toFixed(0)} ms\n`);
    }
  } finally {
    await sim.stop();
    certs.cleanup();
  }
  const med = (v: number[]) => quantile(v, 0.5);
  const row = (label: string, v: number[], base: number[] | undefined) => `| ${label} | ${medianRange(v)} | ${base ? (med(v) / med(base)).toFixed(2) : '1.00'} |`;
  const goal = (what: string, v: number[], base: number[], limit: number) => {
    const ratio = med(v) / med(base);
    return `- ${what} within ${limit}×: ${ratio <= limit ? 'met' : '**not met**'} (${ratio.toFixed(2)}×, ${med(v).toFixed(0)} against ${med(base).toFixed(0)} ms);`;
  };
  return [
    '## Cold start',
    '',
    `Machine: ${machineLine}. ${RUNS} interleaved runs after a warm-up, each in a fresh process; median (min–max) in ms.`,
    'The Functions rows are timed inside the process from before its first import; the CLI rows are whole processes,',
    'from spawn to exit. Every login is one TLS login and `SELECT 1` against the simulator on loopback (no delay).',
    '',
    '| Functions host | ms | ratio to its baseline |',
    '|---|---|---|',
    row('`@azure/functions` alone (baseline)', t.functions, undefined),
    row('every registration file loaded, triggers registered', t.registered, t.functions),
    row('`@azure/functions`, then tedious and one raw login (baseline)', t.raw, undefined),
    row('registered, then the HTTP probe\'s first invocation: runtime, one login probe', t.firstProbe, t.raw),
    '',
    '| CLI process | ms | ratio to its baseline |',
    '|---|---|---|',
    row('`node -e "require(\'commander\')"` (baseline)', t.commander, undefined),
    row('`sqlprobe --version`', t.version, t.commander),
    row('a raw tedious script: one login and `SELECT 1` (baseline)', t.tedious, undefined),
    row('`sqlprobe probe --probes login` (ad-hoc server, the same login)', t.probe, t.tedious),
    '',
    'Goals, for this run:',
    '',
    goal('triggers registered by the Functions entry, against `@azure/functions` alone,', t.registered, t.functions, GOAL.registered),
    goal('the first probe, against `@azure/functions` plus one raw tedious login,', t.firstProbe, t.raw, GOAL.firstProbe),
    goal('`sqlprobe --version`, against bare node with commander,', t.version, t.commander, GOAL.version),
    goal('a one-shot `sqlprobe probe` process, against a raw tedious script doing the same login,', t.probe, t.tedious, GOAL.probe).replace(/;$/, '.'),
    '',
    'The registration files import only `@azure/functions`, the zod-free schedule rule and a small lazy-handler',
    'helper; each handler loads its module, and with it the engine, on its first invocation. tedious (which itself',
    'requires `@azure/identity`) loads before the first round\'s probes start, the Azure Monitor distro at the first',
    'flush. The CLI loads only the command it runs.',
    '',
    'Run with `npm run bench -- coldstart`; `COLDSTART_BENCH_RUNS` changes the number of runs.',
  ].join('\n');
}
