import type { Socket } from 'node:net';
import type { SecureVersion, TLSSocket } from 'node:tls';
import type { Target } from '../config';
import { TLS_VERSIONS, type Classification, type TlsAudit, type TlsAuditAttempt, type TlsVersionName } from '../contract';
import { connectTcp } from './connect';
import type { ProbeOptions } from './prober';
import type { ProbeRecorder } from './recorder';
import type { TlsVersions } from './tls';

const NODE_NAMES: Record<TlsVersionName, SecureVersion> = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };

/**
 * OpenSSL 3, which Node uses, refuses TLS 1.0 and 1.1 at its default security level: a client
 * offering only 1.0 fails with ERR_SSL_NO_PROTOCOLS_AVAILABLE before sending a byte. The audit
 * has to offer them to find out whether the server still accepts them, so on its own sockets,
 * and only for those two versions, it lowers the level to 0. Nothing is sent over these connections.
 * https://docs.openssl.org/3.0/man3/SSL_CTX_set_security_level/
 */
function versionsFor(version: TlsVersionName): TlsVersions {
  const legacy = version === '1.0' || version === '1.1';
  return { minVersion: NODE_NAMES[version], maxVersion: NODE_NAMES[version], ...(legacy ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}) };
}

/** Classic TDS carries TLS inside PRELOGIN and is capped at 1.2; strict (TDS 8.0) can offer 1.3 too. */
export const auditedVersions = (strict: boolean): TlsVersionName[] => TLS_VERSIONS.filter((v) => strict || v !== '1.3');

/** Opens a handshake on a connected socket offering `versions`; classic mode sends PRELOGIN first. */
export type Handshaker = (socket: Socket, versions: TlsVersions, signal: AbortSignal) => Promise<TLSSocket>;

/** How a handshake that did not complete ended: the server said no, said nothing, or something else broke. */
function outcomeOf(error: unknown, timedOut: boolean): Pick<TlsAuditAttempt, 'outcome' | 'detail'> {
  if (timedOut) return { outcome: 'no-answer' };
  const e = error as NodeJS.ErrnoException;
  const detail = e?.code ?? e?.message ?? String(error);
  // An alert (protocol_version, handshake_failure), or a server that just drops the connection.
  const refused = /^ERR_SSL_/.test(e?.code ?? '') || ['ECONNRESET', 'EPIPE'].includes(e?.code ?? '') || /connection closed/.test(e?.message ?? '');
  return { outcome: refused ? 'refused' : 'error', detail };
}

async function attempt(reached: { address: string; port: number }, version: TlsVersionName, shake: Handshaker, limitMs: number, signal: AbortSignal): Promise<TlsAuditAttempt> {
  const start = performance.now();
  const own = AbortSignal.timeout(limitMs);
  const both = AbortSignal.any([signal, own]);
  let socket: Socket | undefined;
  let tls: TLSSocket | undefined;
  try {
    socket = await connectTcp(reached.address, reached.port, both);
    tls = await shake(socket, versionsFor(version), both);
    const cipher = tls.getCipher()?.name;
    return { version, outcome: 'accepted', durationMs: performance.now() - start, ...(cipher ? { cipher } : {}) };
  } catch (error) {
    if (signal.aborted) throw error;
    return { version, durationMs: performance.now() - start, ...outcomeOf(error, own.aborted) };
  } finally {
    tls?.destroy();
    socket?.destroy();
  }
}

export const wantsAudit = (target: Target, options: ProbeOptions): boolean => options.tlsAudit === true || target.expect.minTls !== undefined;

const rank = (v: TlsVersionName): number => TLS_VERSIONS.indexOf(v);

/**
 * Offers each TLS version alone, in parallel, on connections of its own (the `tlsAudit` phase), and
 * fails with tls-below-minimum when the server accepts one below the target's expect.minTls. Each
 * handshake gets at most half the probe timeout: a device that drops old ClientHellos instead of
 * refusing them is reported as no answer for that version, not as a failed probe.
 */
export async function auditTls(rec: ProbeRecorder, target: Target, reached: { address: string; port: number }, shake: Handshaker, options: ProbeOptions, signal: AbortSignal): Promise<{ audit: TlsAudit; error?: Classification }> {
  const minimum = target.expect.minTls;
  const versions = auditedVersions(target.encrypt === 'strict');
  let attempts: TlsAuditAttempt[];
  try {
    attempts = await rec.time('tlsAudit', () => Promise.all(versions.map((v) => attempt(reached, v, shake, options.timeoutMs / 2, signal))));
  } catch (error) {
    const audit = { ...(minimum ? { minimum } : {}), attempts: [], accepted: [] };
    return { audit, error: rec.classify({ error, timedOut: signal.aborted }) };
  }
  const accepted = attempts.filter((a) => a.outcome === 'accepted').map((a) => a.version);
  const audit: TlsAudit = { ...(minimum ? { minimum } : {}), attempts, accepted };
  const below = minimum ? accepted.filter((v) => rank(v) < rank(minimum)) : [];
  if (!minimum || below.length === 0) return { audit };
  const message = `${target.server}:${reached.port} accepts TLS ${below.join(', ')}, below the minimum ${minimum} (it accepts ${accepted.join(', ')})`;
  return { audit, error: rec.classify({ class: 'tls-below-minimum', message }) };
}
