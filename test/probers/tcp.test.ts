import { tcpProber } from '../../shared/probers/tcp';
import { checked, deadline, options } from './fixtures';
import { target } from '../helpers/targets';
import { describeWithNetns, TestNetns } from '../helpers/netns';
import { closedPort, listener } from './helpers/ports';

describe('tcp prober on loopback', () => {
  it('times a successful connect and closes it', async () => {
    const l = await listener();
    let accepted = 0;
    l.server.on('connection', (s) => { accepted++; s.on('close', () => accepted--); });
    const r = checked(await tcpProber(target({ port: l.port }), options(), deadline()));
    expect(r).toMatchObject({ success: true, tcp: { connects: [{ address: '127.0.0.1', port: l.port, outcome: 'connected' }] } });
    expect(r.phases.map((p) => p.name)).toEqual(['dns', 'tcp']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(accepted).toBe(0);
    await l.close();
  });

  it('classifies a closed port as tcp-refused', async () => {
    const r = checked(await tcpProber(target({ port: await closedPort() }), options(), deadline()));
    expect(r).toMatchObject({ success: false, error: { class: 'tcp-refused', phase: 'tcp', transient: false } });
    expect(r.tcp?.connects[0].outcome).toBe('refused');
  });
});

// A SYN that is dropped or answered with ICMP needs a firewall: the test makes its own namespace.
// Under CI a machine that cannot make one fails these tests rather than skipping them.
describeWithNetns('tcp prober in a network namespace', () => {
  let ns: TestNetns;
  beforeAll(() => {
    ns = new TestNetns([
      ['-A', 'INPUT', '-p', 'tcp', '--dport', '1433', '-j', 'DROP'],
      ['-A', 'INPUT', '-p', 'tcp', '--dport', '1434', '-j', 'REJECT', '--reject-with', 'icmp-host-unreachable'],
    ]);
  });
  afterAll(() => ns?.close());

  it('tells a dropped SYN (timeout) from an ICMP unreachable', async () => {
    const [dropped, unreachable] = await Promise.all([
      ns.probe('tcp', { name: 'dropped', server: '127.0.0.1', port: 1433, database: 'x' }, 500),
      ns.probe('tcp', { name: 'unreachable', server: '127.0.0.1', port: 1434, database: 'x' }, 3000),
    ]);
    expect(checked(dropped)).toMatchObject({ success: false, error: { class: 'tcp-timeout', phase: 'tcp', transient: true } });
    expect(dropped.tcp?.connects[0].outcome).toBe('timeout');
    expect(checked(unreachable)).toMatchObject({ success: false, error: { class: 'tcp-unreachable', phase: 'tcp' } });
    expect(unreachable.tcp?.connects[0].outcome).toBe('unreachable');
  });
});
