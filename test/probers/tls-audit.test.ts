import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TargetInput } from '../../shared/config';
import { tlsProber } from '../../shared/probers/tls';
import { cleanupCerts, simCerts, startTlsSim, SIM_OPTIONS } from '../helpers/sim';
import { target } from '../helpers/targets';
import { checked } from './fixtures';

const run = promisify(execFile);
type Versions = ('1.0' | '1.1' | '1.2' | '1.3')[];

afterAll(cleanupCerts);

const audit = async (versions: Versions, input: Partial<TargetInput>, options = SIM_OPTIONS) => {
  const strict = input.encrypt === 'strict';
  const sim = await startTlsSim({ strict, tlsVersions: versions });
  try {
    const t = target({ server: 'localhost', port: sim.gatewayPort, caFile: simCerts().caFile, ...input });
    return { result: checked(await tlsProber(t, options, AbortSignal.timeout(8000))), port: sim.gatewayPort };
  } finally {
    await sim.stop();
  }
};
const outcomes = (r: Awaited<ReturnType<typeof audit>>['result']) => r.tls?.audit?.attempts.map((a) => [a.version, a.outcome]);

describe('TLS floor audit', () => {
  it('finds TLS 1.0 accepted below expect.minTls 1.2 (classic): tls-below-minimum in the tlsAudit phase', async () => {
    const { result: r, port } = await audit(['1.0', '1.2'], { expect: { minTls: '1.2' } });
    expect(outcomes(r)).toEqual([['1.0', 'accepted'], ['1.1', 'refused'], ['1.2', 'accepted']]);
    expect(r.tls?.audit).toMatchObject({ minimum: '1.2', accepted: ['1.0', '1.2'] });
    expect(r.error).toMatchObject({ class: 'tls-below-minimum', phase: 'tlsAudit', transient: false, message: `localhost:${port} accepts TLS 1.0, below the minimum 1.2 (it accepts 1.0, 1.2)` });
    expect(r.error?.recommendation).toContain('Minimum TLS version');
    // The probe's own handshake still negotiated the best version, and it is reported as before.
    expect(r.tls).toMatchObject({ version: 'TLSv1.2', trusted: true, hostnameMatches: true });
    expect(r.phases.map((p) => p.name)).toEqual(['dns', 'tcp', 'prelogin', 'tls', 'tlsAudit']);
  });

  it('offers TLS 1.3 too under strict (TDS 8.0), and passes a server at the floor', async () => {
    const { result: r } = await audit(['1.2', '1.3'], { encrypt: 'strict', expect: { minTls: '1.2' } });
    expect(r.success).toBe(true);
    expect(outcomes(r)).toEqual([['1.0', 'refused'], ['1.1', 'refused'], ['1.2', 'accepted'], ['1.3', 'accepted']]);
    expect(r.tls?.audit?.attempts.find((a) => a.version === '1.3')?.cipher).toMatch(/^TLS_/);
  });

  it('without a floor, --tls-audit reports and never fails', async () => {
    const { result: r } = await audit(['1.1', '1.2'], {}, { ...SIM_OPTIONS, tlsAudit: true });
    expect(r.success).toBe(true);
    expect(r.tls?.audit).toEqual(expect.objectContaining({ accepted: ['1.1', '1.2'] }));
    expect(r.tls?.audit?.minimum).toBeUndefined();
  });

  it('without expect.minTls or --tls-audit there is no audit', async () => {
    const { result: r } = await audit(['1.0', '1.2'], {});
    expect(r.success).toBe(true);
    expect(r.tls?.audit).toBeUndefined();
    expect(r.phases.map((p) => p.name)).not.toContain('tlsAudit');
  });

  it('explains a server this client cannot talk to at all: only TLS 1.0 accepted', async () => {
    const { result: r } = await audit(['1.0'], { expect: { minTls: '1.2' } });
    // The probe's own handshake (TLS 1.2 at least, Node's default) finds no common protocol; the audit says why.
    expect(r.error).toMatchObject({ class: 'encryption-not-supported', phase: 'tls' });
    expect(r.error?.message).toMatch(/unsupported protocol/i);
    expect(r.tls?.audit?.accepted).toEqual(['1.0']);
  });

  /** Audits a server that, once the probe's own handshake is done, accepts every connection and never answers. */
  async function auditSilentAfterHandshake(timeoutMs: number, deadlineMs: number) {
    const sim = await startTlsSim({ tlsVersions: ['1.2'] });
    try {
      sim.events.on('event', (e) => e.kind === 'tls' && void sim.setFault('gateway', { kind: 'blackhole' }));
      const t = target({ server: 'localhost', port: sim.gatewayPort, caFile: simCerts().caFile, expect: { minTls: '1.2' } });
      return checked(await tlsProber(t, { ...SIM_OPTIONS, timeoutMs }, AbortSignal.timeout(deadlineMs)));
    } finally {
      await sim.stop();
    }
  }

  it('a device that drops old handshakes instead of refusing them is "no-answer", within half the probe timeout', async () => {
    const r = await auditSilentAfterHandshake(600, 5000);
    expect(r.success).toBe(true);
    expect(outcomes(r)).toEqual([['1.0', 'no-answer'], ['1.1', 'no-answer'], ['1.2', 'no-answer']]);
  });

  it('the probe deadline during the audit is timeout-tlsAudit', async () => {
    const r = await auditSilentAfterHandshake(10_000, 1500);
    expect(r.error).toMatchObject({ class: 'timeout-tlsAudit', phase: 'tlsAudit', transient: true });
  });
});

describe('openssl s_client agrees with the audit (strict: TLS first, as openssl speaks it)', () => {
  const flags = { '1.0': '-tls1', '1.1': '-tls1_1', '1.2': '-tls1_2', '1.3': '-tls1_3' } as const;

  it.each([[['1.0', '1.2'] as Versions], [['1.1', '1.3'] as Versions]])('server accepting %j', async (versions) => {
    const sim = await startTlsSim({ strict: true, tlsVersions: versions });
    try {
      const t = target({ server: 'localhost', port: sim.gatewayPort, caFile: simCerts().caFile, encrypt: 'strict' });
      const ours = checked(await tlsProber(t, { ...SIM_OPTIONS, tlsAudit: true }, AbortSignal.timeout(8000))).tls?.audit?.accepted;
      const theirs: string[] = [];
      for (const [version, flag] of Object.entries(flags)) {
        // openssl, like Node, needs security level 0 to offer TLS 1.0 and 1.1 at all.
        const child = run('openssl', ['s_client', '-connect', `127.0.0.1:${sim.gatewayPort}`, flag, '-cipher', 'DEFAULT@SECLEVEL=0', '-alpn', 'tds/8.0'], { timeout: 10_000 });
        child.child.stdin?.end();
        const { stdout } = await child.catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
        // "New, TLSv1.2, Cipher is …" after a handshake; "New, (NONE), Cipher is (NONE)" when refused.
        if (/^New, TLSv[\d.]+, Cipher is (?!\(NONE\))/m.test(stdout)) theirs.push(version);
      }
      expect(ours).toEqual(versions);
      expect(theirs).toEqual(versions);
    } finally {
      await sim.stop();
    }
  });
});
