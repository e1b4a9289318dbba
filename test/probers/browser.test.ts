import { createSocket, type Socket } from 'node:dgram';
import { PROBERS } from '../../shared/probers';
import { askBrowser } from '../../shared/probers/browser';
import type { TargetInput } from '../../shared/config';
import { simCerts, cleanupCerts, startTlsSim, SIM_OPTIONS, SIM_PASSWORD, SIM_USER } from '../helpers/sim';
import { target } from '../helpers/targets';
import { checked } from './fixtures';
import { eventually } from './helpers/matrix';
import { closedPort } from './helpers/ports';

/** A UDP socket that reads and never answers: a Browser port behind a firewall that drops. */
async function silentUdp(): Promise<{ port: number; received: () => number; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, received: () => received, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** A UDP port nothing listens on: the kernel answers ICMP port unreachable. */
async function closedUdpPort(): Promise<number> {
  const s = await silentUdp();
  await s.close();
  return s.port;
}

const instanceTarget = (browserPort: number, input: Partial<TargetInput> = {}) => target({
  server: 'localhost', database: 'appdb', caFile: simCerts().caFile, instanceName: 'SQLEXPRESS', browser: { port: browserPort, timeout: '1s' },
  auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' }, ...input,
});

afterAll(cleanupCerts);

describe('named instances through the SQL Server Browser', () => {
  it('asks the Browser for the port, as its own phase, then every probe uses that port', async () => {
    const sim = await startTlsSim({ browserPort: 0, instances: [{ name: 'SQLEXPRESS' }, { name: 'REPORTS', tcpPort: 50999 }] });
    try {
      const browserEvents: string[] = [];
      sim.events.on('event', (e) => e.kind === 'browser' && browserEvents.push(e.detail ?? ''));
      const t = instanceTarget(sim.browserPort!);
      // The target's own port (1433 by default) is not where the simulator listens: only the Browser's answer gets there.
      expect(t.port).not.toBe(sim.gatewayPort);
      for (const probe of ['tcp', 'tls', 'login'] as const) {
        const r = checked(await PROBERS[probe](t, SIM_OPTIONS, AbortSignal.timeout(5000)));
        expect({ probe, success: r.success, port: r.port }).toEqual({ probe, success: true, port: sim.gatewayPort });
        expect(r.browser).toEqual({
          instance: 'SQLEXPRESS', address: '127.0.0.1', port: sim.browserPort, outcome: 'found', tcpPort: sim.gatewayPort,
          instances: expect.arrayContaining([expect.objectContaining({ name: 'SQLEXPRESS', tcpPort: sim.gatewayPort })]),
        });
        expect(r.phases.slice(0, 3).map((p) => p.name)).toEqual(['dns', 'browser', 'tcp']);
      }
      // Asked the way SqlClient and FreeTDS ask (one instance), and for the list that tells "not found" apart.
      expect(browserEvents.some((d) => d.startsWith('instance SQLEXPRESS'))).toBe(true);
      expect(browserEvents.some((d) => d.startsWith('list'))).toBe(true);
    } finally {
      await sim.stop();
    }
  });

  it('an instance the Browser does not know is instance-not-found, with the instances it does know', async () => {
    const sim = await startTlsSim({ browserPort: 0, instances: [{ name: 'PROD' }, { name: 'STAGING', tcpPort: 50111 }] });
    try {
      const r = checked(await PROBERS.tcp(instanceTarget(sim.browserPort!), SIM_OPTIONS, AbortSignal.timeout(5000)));
      expect(r.error).toMatchObject({ class: 'instance-not-found', phase: 'browser', transient: false });
      expect(r.error?.message).toContain('does not list instance SQLEXPRESS; it lists PROD (tcp');
      expect(r.error?.message).toContain('STAGING (tcp 50111)');
      expect(r.browser?.outcome).toBe('not-found');
      expect(r.phases.map((p) => p.name)).toEqual(['dns', 'browser']);
    } finally {
      await sim.stop();
    }
  });

  it('an instance listed without TCP is instance-not-found too, saying TCP/IP is off', async () => {
    const sim = await startTlsSim({ browserPort: 0, instances: [{ name: 'SQLEXPRESS', tcpPort: 'off' }] });
    try {
      const r = checked(await PROBERS.login(instanceTarget(sim.browserPort!), SIM_OPTIONS, AbortSignal.timeout(5000)));
      expect(r.error).toMatchObject({ class: 'instance-not-found', phase: 'browser' });
      expect(r.error?.message).toContain('without a TCP port');
      expect(r.browser?.outcome).toBe('no-tcp');
    } finally {
      await sim.stop();
    }
  });

  it('a Browser port that drops datagrams is browser-unreachable after the browser timeout, asked twice', async () => {
    const silent = await silentUdp();
    try {
      const r = checked(await PROBERS.tls(instanceTarget(silent.port, { browser: { port: silent.port, timeout: '400ms' } }), SIM_OPTIONS, AbortSignal.timeout(5000)));
      expect(r.error).toMatchObject({ class: 'browser-unreachable', phase: 'browser' });
      expect(r.error?.message).toBe(`no answer from the SQL Server Browser at 127.0.0.1:${silent.port}/udp within 400 ms`);
      expect(r.browser?.outcome).toBe('no-answer');
      // The instance question and the list question, each sent again halfway.
      expect(silent.received()).toBe(4);
    } finally {
      await silent.close();
    }
  });

  it('a closed Browser port (ICMP port unreachable) is browser-unreachable at once', async () => {
    const port = await closedUdpPort();
    // The deadline is shorter than the browser timeout: waiting for it would end as timeout-browser.
    const r = checked(await PROBERS.tcp(instanceTarget(port, { browser: { port, timeout: '10s' } }), SIM_OPTIONS, AbortSignal.timeout(3000)));
    expect(r.error).toMatchObject({ class: 'browser-unreachable', phase: 'browser' });
    expect(r.error?.message).toContain('is closed (ICMP port unreachable)');
    expect(r.browser?.outcome).toBe('unreachable');
  });

  it('the Browser answers but the instance port is closed: instance-port-closed, on that port', async () => {
    const dead = await closedPort();
    const sim = await startTlsSim({ browserPort: 0, instances: [{ name: 'SQLEXPRESS', tcpPort: dead }] });
    try {
      for (const probe of ['tcp', 'login'] as const) {
        const r = checked(await PROBERS[probe](instanceTarget(sim.browserPort!), SIM_OPTIONS, AbortSignal.timeout(5000)));
        expect({ probe, class: r.error?.class, phase: r.error?.phase, port: r.port }).toEqual({ probe, class: 'instance-port-closed', phase: 'tcp', port: dead });
        expect(r.error?.recommendation).toContain(`TCP ${dead}`);
        expect(r.tcp?.connects.every((c) => c.port === dead && c.outcome === 'refused')).toBe(true);
      }
    } finally {
      await sim.stop();
    }
  });

  it('the probe deadline in the browser phase is timeout-browser', async () => {
    const silent = await silentUdp();
    try {
      const r = checked(await PROBERS.tcp(instanceTarget(silent.port, { browser: { port: silent.port, timeout: '10s' } }), SIM_OPTIONS, AbortSignal.timeout(300)));
      expect(r.error).toMatchObject({ class: 'timeout-browser', phase: 'browser', transient: true });
    } finally {
      await silent.close();
    }
  });

  it('settles with the signal and leaves no socket behind', async () => {
    const silent = await silentUdp();
    try {
      const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
      await eventually(() => udpSockets() === 1);
      const controller = new AbortController();
      const asked = askBrowser('127.0.0.1', silent.port, 'SQLEXPRESS', 10_000, controller.signal);
      expect(udpSockets()).toBe(2);
      controller.abort(new Error('stopped'));
      await expect(asked).rejects.toThrow('stopped');
      expect(await eventually(() => udpSockets() === 1)).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it('a Windows login to a named instance goes through the Browser too', async () => {
    const sim = await startTlsSim({ browserPort: 0, instances: [{ name: 'SQLEXPRESS' }], servers: [{ windowsLogins: [{ domain: 'SQLPROBE', user: 'svc', password: SIM_PASSWORD }] }] });
    try {
      const t = instanceTarget(sim.browserPort!, { auth: { type: 'ntlm', domain: 'SQLPROBE', user: 'svc', passwordSetting: 'SIM_PASSWORD' } });
      const r = checked(await PROBERS.login(t, SIM_OPTIONS, AbortSignal.timeout(5000)));
      expect(r).toMatchObject({ success: true, port: sim.gatewayPort, browser: { outcome: 'found' } });
    } finally {
      await sim.stop();
    }
  });
});
