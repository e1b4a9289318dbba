import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { parseDuration } from '../../sim';
import { buildSimCommand } from '../../sim/cli';
import { configFromFlags, formatEvent, parseFault, type CliOptions } from '../../sim/flags';

const ROOT = join(__dirname, '..', '..');

/**
 * The simulator's real command (commander 14 loads under jest), with its action swapped for one that
 * keeps the parsed options: the flags, defaults and argument parsers are those `npm run sim` uses.
 */
function parse(args: string[]): { options?: CliOptions; error?: CommanderError; stderr: string } {
  let options: CliOptions | undefined;
  const stderr: string[] = [];
  const cmd: Command = buildSimCommand()
    .exitOverride()
    .configureOutput({ writeErr: (s) => stderr.push(s), writeOut: () => {} })
    .action((o: CliOptions) => {
      options = o;
    });
  try {
    cmd.parse(args, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return { error: err, stderr: stderr.join('') };
  }
  return { options, stderr: stderr.join('') };
}

const flags = (args: string[] = []): CliOptions => {
  const { options, error } = parse(args);
  if (!options) throw error ?? new Error('the action did not run');
  return options;
};

test('the documented flags map onto the config schema', () => {
  const config = configFromFlags(flags([
    '--port', '0', '--policy', 'redirect', '--node-port', '0', '--encrypt', 'on', '--strict', '--login', 'a:p:w', '--login', 'b:x', '--database', 'db1',
    '--idle-timeout', '90s', '--idle-close', 'rst', '--error', '40613', '--latency', '20ms', '--edition', '8', '--max-sessions', '3',
  ]));
  expect(config).toMatchObject({ port: 0, nodePort: 0, policy: 'redirect', encrypt: 'on', strict: true, idleTimeoutMs: 90_000, idleClose: 'rst', latencyMs: 20, maxSessions: 3 });
  expect(config.servers?.[0]).toMatchObject({
    logins: [{ user: 'a', password: 'p:w' }, { user: 'b', password: 'x' }],
    databases: ['db1'],
    errors: [{ number: 40613 }],
    engineEdition: 8,
  });
});

test('defaults match the documented ones, and bad flags are rejected', () => {
  expect(configFromFlags(flags())).toMatchObject({ host: '127.0.0.1', port: 14330, nodePort: 11000, policy: 'proxy', idleTimeoutMs: 30 * 60_000, idleClose: 'fin', latencyMs: 0 });
  expect(configFromFlags(flags()).maxSessions).toBeUndefined();
  expect(configFromFlags(flags()).servers?.[0]).toMatchObject({ engineEdition: 5 });
  expect(() => configFromFlags(flags(['--error', '1234']))).toThrow(/--error 1234/);
  expect(() => configFromFlags(flags(['--login', 'nopassword']))).toThrow(/user:password/);
  expect(() => configFromFlags(flags(['--cert', 'x.pem']))).toThrow(/--cert and --key/);
});

describe('a bad numeric or duration flag names the flag and what it takes', () => {
  it.each([
    [['--port', 'abc'], `option '--port <port>' argument 'abc' is invalid. expected an integer 0–65535 (0 picks a free port), got "abc".`],
    [['--port', '70000'], `option '--port <port>' argument '70000' is invalid. expected an integer 0–65535`],
    [['--port', '1.5'], `option '--port <port>' argument '1.5' is invalid. expected an integer 0–65535`],
    [['--node-port', '-1'], `option '--node-port <port>' argument '-1' is invalid. expected an integer 0–65535`],
    [['--edition', 'x'], `option '--edition <n>' argument 'x' is invalid. expected an integer EngineEdition, e.g. 5 (SQL Database) or 8 (Managed Instance), got "x".`],
    [['--max-sessions', 'x'], `option '--max-sessions <n>' argument 'x' is invalid. expected a whole number of sessions, 1 or more (at most 100000), got "x".`],
    [['--max-sessions', '0'], `option '--max-sessions <n>' argument '0' is invalid. expected a whole number of sessions, 1 or more`],
    [['--latency', 'soon'], `option '--latency <duration>' argument 'soon' is invalid. expected a duration such as 20ms, 5s, 30m or 1h, got "soon".`],
    [['--idle-timeout', '5x'], `option '--idle-timeout <duration>' argument '5x' is invalid. expected a duration`],
  ])('%j', (args, message) => {
    const { options, error, stderr } = parse(args);
    expect(options).toBeUndefined();
    expect(error).toMatchObject({ code: 'commander.invalidArgument', exitCode: 1 });
    expect(error?.message).toContain(message);
    expect(stderr).toContain(message);
    // Not zod's issue array.
    expect(stderr).not.toMatch(/"code"|"path"|\[\s*\{/);
  });
});

test('configFromFlags, called with bad values directly, names the flag too', () => {
  const good = flags();
  expect(() => configFromFlags({ ...good, port: NaN })).toThrow(/^--port: expected an integer 0–65535 \(0 picks a free port\), got NaN$/);
  expect(() => configFromFlags({ ...good, edition: 2.5, maxSessions: 0 })).toThrow(
    /^--max-sessions: expected a whole number of sessions, 1 or more \(at most 100000\), got 0\n--edition: expected an integer EngineEdition, e\.g\. 5 \(SQL Database\) or 8 \(Managed Instance\), got 2\.5$/,
  );
});

test('the standalone simulator prints the flag and its fix, and exits non-zero', () => {
  const run = spawnSync(process.execPath, ['-r', join(ROOT, 'test', 'helpers', 'ts-register.js'), join(ROOT, 'sim', 'main.ts'), '--port', 'abc'], { encoding: 'utf8', timeout: 20_000 });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain(`error: option '--port <port>' argument 'abc' is invalid. expected an integer 0–65535 (0 picks a free port), got "abc".`);
  expect(run.stdout).not.toContain('sqlprobe-sim ready');
});

test('durations, faults and event lines', () => {
  expect([parseDuration('20ms'), parseDuration('5s'), parseDuration('30m'), parseDuration('1h'), parseDuration('250')]).toEqual([20, 5000, 1_800_000, 3_600_000, 250]);
  expect(() => parseDuration('soon')).toThrow();
  expect(parseFault('rst:login')).toEqual({ kind: 'rst', phase: 'login' });
  expect(parseFault('slow-start:2s')).toEqual({ kind: 'slow-start', delayMs: 2000 });
  expect(parseFault('none')).toBeNull();
  expect(formatEvent({ at: new Date(0), listener: 'gateway', session: 3, kind: 'login', detail: 'spid=51' })).toBe('1970-01-01T00:00:00.000Z gateway #3 login spid=51');
});

test('the pre-login deadline and the connection cap have flags, defaults and bounds', () => {
  expect(configFromFlags(flags())).toMatchObject({ preloginTimeoutMs: 30_000, maxConnections: 10_000 });
  expect(configFromFlags(flags(['--prelogin-timeout', '5s', '--max-connections', '50']))).toMatchObject({ preloginTimeoutMs: 5000, maxConnections: 50 });
  expect(() => configFromFlags(flags(['--prelogin-timeout', '2h']))).toThrow(/^--prelogin-timeout: expected a duration from 1ms to 1h such as 30s, got 7200000$/);
  expect(() => configFromFlags(flags(['--latency', '600h']))).toThrow(/^--latency: expected a duration from 0ms to 60s such as 20ms, got 2160000000$/);
  expect(() => configFromFlags(flags(['--idle-timeout', '600h']))).toThrow(/^--idle-timeout: expected a duration from 1ms to 24h such as 30m, got 2160000000$/);
  expect(parse(['--max-connections', '0']).error?.message).toContain('expected a whole number of connections from 1 to 100000, got "0"');
});

test('fin and bad-prelogin faults parse from the fault command', () => {
  expect(parseFault('fin:accept')).toEqual({ kind: 'fin', phase: 'accept' });
  expect(parseFault('fin:tls')).toEqual({ kind: 'fin', phase: 'tls' });
  expect(parseFault('bad-prelogin')).toEqual({ kind: 'bad-prelogin' });
});
