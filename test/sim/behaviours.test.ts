import { Connection, Request } from 'tedious';
import type { Simulator } from '../../sim';
import { closeTedious, connectTedious, nextEvent, query, startSim, tediousConfig } from '../helpers/sim';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** Resolves with the message of the connection's next 'error' event. */
const lost = (c: Connection): Promise<string> => new Promise((resolve) => c.once('error', (e: Error) => resolve(e.message)));

async function loginNumbers(s: Simulator): Promise<number[]> {
  const c = new Connection(tediousConfig(s));
  const numbers: number[] = [];
  c.on('errorMessage', (m) => numbers.push(m.number));
  c.on('error', () => undefined);
  await new Promise<void>((resolve) => c.connect(() => resolve()));
  await closeTedious(c);
  return numbers;
}

describe('idle kill under proxy', () => {
  test.each([
    ['fin', 'Connection lost - socket hang up'],
    ['rst', 'Connection lost - read ECONNRESET'],
  ] as const)('closes with %s after the idle timeout', async (idleClose, message) => {
    sim = await startSim({ idleTimeoutMs: 1000, idleClose });
    const c = await connectTedious(tediousConfig(sim));
    const idleFrom = performance.now();
    expect(await lost(c)).toBe(message);
    expect(performance.now() - idleFrom).toBeGreaterThanOrEqual(900);
    expect(c.closed).toBe(true);
  });

  test('a request restarts the idle timer; redirected node sessions are never idle-killed', async () => {
    sim = await startSim({ idleTimeoutMs: 600 });
    const c = await connectTedious(tediousConfig(sim));
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 300));
      expect(await query(c, 'SELECT 1')).toEqual([[1]]);
    }
    await closeTedious(c);
    await sim.stop();
    sim = await startSim({ policy: 'redirect', idleTimeoutMs: 300 });
    const routed = await connectTedious(tediousConfig(sim));
    await new Promise((r) => setTimeout(r, 800));
    expect(await query(routed, 'SELECT 1')).toEqual([[1]]);
    await closeTedious(routed);
  });
});

test('ATTENTION: connection.cancel() ends a WAITFOR and the connection stays usable', async () => {
  sim = await startSim();
  const c = await connectTedious(tediousConfig(sim));
  const started = nextEvent(sim, 'query', (e) => e.detail === 'waitfor');
  const done = new Promise<Error | null | undefined>((resolve) => c.execSqlBatch(new Request("WAITFOR DELAY '00:00:30'", (err) => resolve(err))));
  await started;
  c.cancel();
  const err = (await done) as Error & { code?: string };
  expect(err.code).toBe('ECANCEL');
  expect(await query(c, 'SELECT 1')).toEqual([[1]]);
  await closeTedious(c);
});

test('failover kills every session, then logins get 40613 for a while', async () => {
  sim = await startSim();
  const a = await connectTedious(tediousConfig(sim));
  const b = await connectTedious(tediousConfig(sim));
  const lostA = lost(a);
  const lostB = lost(b);
  sim.failover({ unavailableMs: 400 });
  expect(await lostA).toBe('Connection lost - read ECONNRESET');
  expect(await lostB).toBe('Connection lost - read ECONNRESET');
  expect(await loginNumbers(sim)).toEqual([40613]);
  await new Promise((r) => setTimeout(r, 450));
  expect(await loginNumbers(sim)).toEqual([]);
});

test('the session cap answers further logins with 10928', async () => {
  sim = await startSim({ maxSessions: 2 });
  const a = await connectTedious(tediousConfig(sim));
  const b = await connectTedious(tediousConfig(sim));
  expect(await loginNumbers(sim)).toEqual([10928]);
  const closed = nextEvent(sim, 'close');
  await closeTedious(a);
  await closed;
  expect(await loginNumbers(sim)).toEqual([]);
  await closeTedious(b);
});

test('latency delays every response message', async () => {
  sim = await startSim({ latencyMs: 60 });
  const c = await connectTedious(tediousConfig(sim));
  const t0 = performance.now();
  expect(await query(c, 'SELECT 1')).toEqual([[1]]);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
  await closeTedious(c);
});
