import { connect, type Socket } from 'node:net';
import type { SimEvent, Simulator } from '../../sim';
import { formatEvent } from '../../sim/flags';
import { closeTedious, connectTedious, simPerTest, tediousConfig } from '../helpers/sim';
import { eventually, openSockets } from '../probers/helpers/matrix';

const sims = simPerTest();

/** A raw TCP client that sends nothing; resolves with it once connected. */
function idleClient(sim: Simulator): Promise<Socket & { ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(sim.gatewayPort, sim.host);
    const ended = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(Object.assign(socket, { ended })));
    socket.once('error', reject);
  });
}

/** Resolves true once `promise` settles, false after `ms`: how a test tells "closed" from "still open" without asserting a time. */
const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);

describe('the simulator against hostile clients', () => {
  it('escapes control characters in its log: a user name with a newline cannot forge a line', async () => {
    const forged = 'probe\n2026-01-01T00:00:00.000Z gateway #99 login spid=51 sqlprobe-sim/master as sa';
    const sim = await sims.start({ servers: [{ logins: [{ user: forged, password: 'pw' }, { user: 'tab\there', password: 'pw' }] }] });
    const lines: string[] = [];
    sim.events.on('event', (e: SimEvent) => lines.push(formatEvent(e)));
    for (const user of [forged, 'tab\there', 'nobody\r\u2028x']) {
      const c = await connectTedious(tediousConfig(sim, {}, { type: 'default', options: { userName: user, password: 'pw' } })).catch(() => undefined);
      if (c) await closeTedious(c);
    }
    const log = lines.join('\n');
    expect(lines.every((l) => !/[\r\n\u2028]/.test(l))).toBe(true);
    expect(log.split('\n').filter((l) => l.includes(' login spid='))).toHaveLength(2);
    expect(log).toContain('as probe\\n2026-01-01T00:00:00.000Z gateway #99 login');
    expect(log).toContain('as tab\\there');
    expect(log).toContain('unknown user nobody\\r\\u2028x');
  });

  it('closes a connection that never sends PRELOGIN at its pre-login deadline, hundreds at once', async () => {
    const sim = await sims.start({ preloginTimeoutMs: 300 });
    const before = openSockets();
    const clients = await Promise.all(Array.from({ length: 200 }, () => idleClient(sim)));
    expect(await settlesWithin(Promise.all(clients.map((c) => c.ended)), 10_000)).toBe(true);
    expect(sim.sessions()).toEqual([]);
    expect(await eventually(() => openSockets() <= before)).toBe(true);
  });

  it('closes connections held by a blackhole fault at the deadline too; the default deadline is 30 s', async () => {
    const sim = await sims.start({ preloginTimeoutMs: 300 });
    await sim.setFault('gateway', { kind: 'blackhole' });
    const client = await idleClient(sim);
    client.write('PRELOGIN that is never answered');
    expect(await settlesWithin(client.ended, 10_000)).toBe(true);
    expect((await sims.start()).config.preloginTimeoutMs).toBe(30_000);
  });

  it('keeps a logged-in session past the pre-login deadline', async () => {
    const sim = await sims.start({ preloginTimeoutMs: 300 });
    const c = await connectTedious(tediousConfig(sim));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(sim.sessions().map((s) => s.state)).toEqual(['ready']);
    await closeTedious(c);
  });

  it('closes connections past its cap as they arrive, and says so', async () => {
    const sim = await sims.start({ maxConnections: 5 });
    const faults: string[] = [];
    sim.events.on('event', (e: SimEvent) => e.kind === 'fault' && faults.push(e.detail ?? ''));
    const held = await Promise.all(Array.from({ length: 5 }, () => idleClient(sim)));
    const extra = await idleClient(sim);
    expect(await settlesWithin(extra.ended, 10_000)).toBe(true);
    expect(faults).toEqual([expect.stringMatching(/^connection cap 5 reached: closed /)]);
    // The five held ones are still open, and once one goes, a new one is taken.
    expect(await settlesWithin(Promise.race(held.map((c) => c.ended)), 200)).toBe(false);
    held[0].destroy();
    await held[0].ended;
    expect(await eventually(() => sim.sessions().length === 4)).toBe(true);
    const next = await idleClient(sim);
    expect(await settlesWithin(next.ended, 200)).toBe(false);
    for (const c of [...held, next]) c.destroy();
  });
});
