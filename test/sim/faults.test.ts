import { readFileSync } from 'node:fs';
import type { Connection } from 'tedious';
import type { SimEvent, Simulator } from '../../sim';
import { closeTedious, connectTedious, nextEvent, query, simPerTest, tediousConfig } from '../helpers/sim';

const sims = simPerTest();
let sim: Simulator;

type Failure = Error & { code?: string; cause?: { code?: string } };
const connectError = async (s: Simulator, options = {}): Promise<Failure> => {
  const err = await connectTedious(tediousConfig(s, options)).then(
    (c) => {
      c.close();
      return new Error('connected') as Failure;
    },
    (e: Failure) => e,
  );
  return err;
};
const tlsOptions = () => ({ encrypt: true, cryptoCredentialsDetails: { ca: readFileSync(sims.certs().caFile) } });

test('refuse: connections are refused until the fault is cleared', async () => {
  sim = await sims.start();
  await sim.setFault('gateway', { kind: 'refuse' });
  const err = await connectError(sim);
  expect(err.code).toBe('ESOCKET');
  // tedious wraps the refusal: "Could not connect (sequence)", with ECONNREFUSED in the cause's errors.
  expect(JSON.stringify((err.cause as { errors?: Array<{ code?: string }> })?.errors?.map((e) => e.code))).toContain('ECONNREFUSED');
  await sim.setFault('gateway', null);
  const c = await connectTedious(tediousConfig(sim));
  await closeTedious(c);
});

test('blackhole: accepted and never answered, so tedious times out', async () => {
  sim = await sims.start();
  await sim.setFault('gateway', { kind: 'blackhole' });
  const err = await connectError(sim, { connectTimeout: 800 });
  expect(err.code).toBe('ETIMEOUT');
});

test.each(['prelogin', 'tls', 'login'] as const)('rst:%s resets the connection in that phase', async (phase) => {
  sim = await sims.start({ encrypt: 'on', tls: sims.certs().good });
  await sim.setFault('gateway', { kind: 'rst', phase });
  const fault = nextEvent(sim, 'fault');
  const err = await connectError(sim, tlsOptions());
  expect(err.code).toBe('ESOCKET');
  expect(err.message).toMatch(/ECONNRESET|socket hang up|disconnected/);
  expect((await fault).detail).toBe(`fault rst:${phase}`);
});

test('rst:query lets the login (and its SET batch) through, then resets the first query', async () => {
  sim = await sims.start();
  await sim.setFault('gateway', { kind: 'rst', phase: 'query' });
  const c = await connectTedious(tediousConfig(sim));
  await expect(query(c, 'SELECT 1')).rejects.toThrow(/ECONNRESET/);
});

test('close-after-login: the login completes, then the server closes with FIN', async () => {
  sim = await sims.start();
  await sim.setFault('gateway', { kind: 'close-after-login' });
  const c: Connection = await connectTedious(tediousConfig(sim));
  const message = await new Promise<string>((resolve) => c.once('error', (e: Error) => resolve(e.message)));
  expect(message).toBe('Connection lost - socket hang up');
});

test('silent-drop: live sessions stop answering without closing', async () => {
  sim = await sims.start();
  const c = await connectTedious(tediousConfig(sim, { requestTimeout: 300, cancelTimeout: 300 }));
  await sim.setFault('gateway', { kind: 'silent-drop' });
  await expect(query(c, 'SELECT 1')).rejects.toMatchObject({ code: 'ETIMEOUT' });
  expect(sim.sessions()).toHaveLength(1);
  await closeTedious(c);
});

test('slow-start delays the PRELOGIN answer', async () => {
  sim = await sims.start();
  await sim.setFault('gateway', { kind: 'slow-start', delayMs: 300 });
  const t0 = performance.now();
  const c = await connectTedious(tediousConfig(sim));
  expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  await closeTedious(c);
});

test('faults are per listener: a node fault leaves the gateway alone', async () => {
  sim = await sims.start({ policy: 'redirect' });
  await sim.setFault('node', { kind: 'rst', phase: 'login' });
  const events: SimEvent[] = [];
  sim.events.on('event', (e) => events.push(e));
  const seen = (kind: SimEvent['kind']) => events.filter((e) => e.kind === kind).map((e) => [e.listener, e.detail]);
  const err = await connectError(sim);
  expect(err.code).toBe('ESOCKET');
  // The gateway took the login and redirected it; only the node reset it.
  expect(seen('redirect')).toEqual([['gateway', `127.0.0.1:${sim.nodePort}`]]);
  expect(seen('fault')).toEqual([['node', 'fault rst:login']]);
  await sim.setFault('node', null);
  events.length = 0;
  const c = await connectTedious(tediousConfig(sim));
  await closeTedious(c);
  expect([...seen('redirect'), ...seen('login')].map(([listener]) => listener)).toEqual(['gateway', 'node']);
});
