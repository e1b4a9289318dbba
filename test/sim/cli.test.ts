import { parseDuration } from '../../sim';
import { configFromFlags, formatEvent, parseFault, type CliOptions } from '../../sim/flags';

// commander 15 is ESM-only and jest loads CommonJS, so this feeds configFromFlags what commander
// produces (the same defaults as sim/cli.ts) instead of parsing argv.
const DEFAULTS: CliOptions = {
  host: '127.0.0.1', port: '14330', policy: 'proxy', nodePort: '11000', encrypt: 'off', login: [], database: [],
  serverName: 'sqlprobe-sim', accessToken: [], edition: '5', idleTimeout: '30m', idleClose: 'fin', error: [], latency: '0ms',
};
const flags = (o: Partial<CliOptions>): CliOptions => ({ ...DEFAULTS, ...o });

test('DESIGN.md flags map onto the config schema', () => {
  const config = configFromFlags(
    flags({
      port: '0', policy: 'redirect', nodePort: '0', encrypt: 'on', strict: true, login: ['a:p:w', 'b:x'], database: ['db1'],
      idleTimeout: '90s', idleClose: 'rst', error: ['40613'], latency: '20ms',
    }),
  );
  expect(config).toMatchObject({ port: 0, policy: 'redirect', encrypt: 'on', strict: true, idleTimeoutMs: 90_000, idleClose: 'rst', latencyMs: 20 });
  expect(config.servers?.[0]).toMatchObject({
    logins: [{ user: 'a', password: 'p:w' }, { user: 'b', password: 'x' }],
    databases: ['db1'],
    errors: [{ number: 40613 }],
  });
});

test('defaults match DESIGN.md, and bad flags are rejected', () => {
  expect(configFromFlags(flags({}))).toMatchObject({ host: '127.0.0.1', port: 14330, policy: 'proxy', idleTimeoutMs: 30 * 60_000, idleClose: 'fin' });
  expect(() => configFromFlags(flags({ error: ['1234'] }))).toThrow(/--error 1234/);
  expect(() => configFromFlags(flags({ login: ['nopassword'] }))).toThrow(/user:password/);
  expect(() => configFromFlags(flags({ cert: 'x.pem' }))).toThrow(/--cert and --key/);
});

test('durations, faults and event lines', () => {
  expect([parseDuration('20ms'), parseDuration('5s'), parseDuration('30m'), parseDuration('1h'), parseDuration('250')]).toEqual([20, 5000, 1_800_000, 3_600_000, 250]);
  expect(() => parseDuration('soon')).toThrow();
  expect(parseFault('rst:login')).toEqual({ kind: 'rst', phase: 'login' });
  expect(parseFault('slow-start:2s')).toEqual({ kind: 'slow-start', delayMs: 2000 });
  expect(parseFault('none')).toBeNull();
  expect(formatEvent({ at: new Date(0), listener: 'gateway', session: 3, kind: 'login', detail: 'spid=51' })).toBe('1970-01-01T00:00:00.000Z gateway #3 login spid=51');
});
