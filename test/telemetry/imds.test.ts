import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithNetns, TestNetns } from '../helpers/netns';

jest.setTimeout(60_000);

describeWithNetns('no instance-metadata lookup outside Azure', () => {
  let netns: TestNetns;
  const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-imds-'));

  beforeAll(() => {
    netns = new TestNetns([]);
    // The metadata service's address, local to the namespace: a connection to it lands on the child's listener.
    execFileSync('ip', ['-n', netns.name, 'addr', 'add', '169.254.169.254/32', 'dev', 'lo']);
  });

  afterAll(() => {
    netns?.close();
    rmSync(storage, { recursive: true, force: true });
  });

  /** Runs test/telemetry/imds-child.ts in the namespace; resolves with the connections 169.254.169.254:80 got. */
  function connectionsToImds(mode: 'sqlprobe' | 'upstream', endpoint: 'local' | 'azure'): Promise<number> {
    const child = netns.spawnTs(netns.name, 'test/telemetry/imds-child.ts', [mode, endpoint], { STORAGE: storage });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => (code === 0 ? resolve((JSON.parse(out) as { asked: number }).asked) : reject(new Error(`imds-child exited ${code}: ${err}`))));
    });
  }

  test.each(['local', 'azure'] as const)('sqlprobe\'s telemetry starts, sends and stops without asking 169.254.169.254 (%s endpoint)', async (endpoint) => {
    expect(await connectionsToImds('sqlprobe', endpoint)).toBe(0);
  });

  test('canary: the pinned distro asks 169.254.169.254 at start outside Azure (drop quietBeforeStart\'s detector fix when this fails)', async () => {
    expect(await connectionsToImds('upstream', 'local')).toBeGreaterThan(0);
  });
});
