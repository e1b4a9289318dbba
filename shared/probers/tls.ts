import type { X509Certificate } from 'node:crypto';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkServerIdentity, type ConnectionOptions, connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Target } from '../config';
import type { BrowserDetails, CertFacts, Classification, TlsDetails } from '../contract';
import { clientPrelogin, decodePrelogin, Encryption, MessageSocket, PacketType, peerClosed, type Prelogin, PreloginTlsBridge } from '../tds';
import { routeToInstance } from './browser';
import { readCaFile } from './ca-file';
import { connectTcp } from './connect';
import { ProbeRecorder } from './recorder';
import { resolveHost } from './resolve';
import type { ProbeOptions, Prober } from './prober';
import { auditTls, type Handshaker, wantsAudit } from './tls-audit';

const DAY_MS = 86_400_000;

/** The facts an operator needs about a server certificate, from node:crypto's X509Certificate. */
export function certFacts(cert: X509Certificate, now = Date.now()): CertFacts {
  const notAfter = new Date(cert.validTo);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    subjectAltNames: (cert.subjectAltName ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    issuer: cert.issuer.replace(/\n/g, ', '),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now) / DAY_MS),
  };
}

/** Protocol, cipher and certificate of an established TLS socket. */
export function tlsFacts(socket: TLSSocket, mode: TlsDetails['mode']): TlsDetails {
  const cert = socket.getPeerX509Certificate();
  const version = socket.getProtocol();
  const cipher = socket.getCipher()?.name;
  return { mode, ...(version ? { version } : {}), ...(cipher ? { cipher } : {}), ...(cert ? { cert: certFacts(cert) } : {}) };
}

const ENCRYPTION_NAMES: Record<number, NonNullable<TlsDetails['encryption']>> = {
  [Encryption.OFF]: 'off',
  [Encryption.ON]: 'on',
  [Encryption.NOT_SUP]: 'not-supported',
  [Encryption.REQ]: 'required',
};

/** The PRELOGIN answer as TLS details: server version and the encryption it agreed to. */
export function preloginFacts(answer: Prelogin): Pick<TlsDetails, 'serverVersion' | 'encryption'> {
  const v = answer.version;
  const encryption = answer.encryption === undefined ? undefined : ENCRYPTION_NAMES[answer.encryption & 0x7f];
  return { ...(v ? { serverVersion: `${v.major}.${v.minor}.${v.build}.${v.subbuild}` } : {}), ...(encryption ? { encryption } : {}) };
}

/** Sends our PRELOGIN and reads the server's, over the raw socket (classic) or inside TLS (strict). */
export async function exchangePrelogin(stream: Duplex, encryption: number, signal: AbortSignal): Promise<Prelogin> {
  const messages = new MessageSocket(stream);
  messages.send(PacketType.PRELOGIN, clientPrelogin({ encryption }));
  const answer = await messages.next(signal);
  messages.detach();
  return decodePrelogin(answer.payload);
}

/** Protocol settings for one handshake: the TLS audit offers a single version at a time. */
export type TlsVersions = Pick<ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers'>;

/** A TLS client that verifies nothing itself, so the prober can report chain trust and hostname separately. */
function startTls(target: Target, socket: Duplex, strict: boolean, versions: TlsVersions = {}): TLSSocket {
  return tlsConnect({
    socket,
    ...(isIP(target.server) ? {} : { servername: target.server }),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ...(target.caFile ? { ca: readCaFile(target.caFile) } : {}),
    // Classic TDS encryption is capped at TLS 1.2 (what drivers do, and what the bridge relies on).
    ...(strict ? { ALPNProtocols: ['tds/8.0'] } : { maxVersion: 'TLSv1.2' as const }),
    ...versions,
  });
}

function handshake(tls: TLSSocket, signal: AbortSignal): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    tls.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(tls);
    });
    tls.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/** Classic TLS: the handshake rides in PRELOGIN packets through the codec's bridge. */
export function classicTls(target: Target, socket: Socket, signal: AbortSignal, versions?: TlsVersions): Promise<TLSSocket> {
  const bridge = new PreloginTlsBridge((bytes) => socket.write(bytes));
  socket.on('data', (chunk: Buffer) => {
    try {
      bridge.receive(chunk);
    } catch (err) {
      socket.destroy(err as Error);
    }
  });
  const tls = startTls(target, bridge.tlsSide, false, versions);
  socket.once('close', () => tls.destroy(peerClosed('during the TLS handshake')));
  socket.once('error', (err) => tls.destroy(err));
  return handshake(tls, signal);
}

/** Strict (TDS 8.0): TLS first, with ALPN tds/8.0. */
export function strictTls(target: Target, socket: Socket, signal: AbortSignal, versions?: TlsVersions): Promise<TLSSocket> {
  return handshake(startTls(target, socket, true, versions), signal);
}

/** What the handshake proved about the certificate: chain trust (by the CA in use) and the host name. */
export function verification(target: Target, tls: TLSSocket, mode: TlsDetails['mode']): { details: TlsDetails; chainError?: string } {
  const peer = tls.getPeerCertificate();
  const hostnameMatches = !!peer.subject && !checkServerIdentity(target.server, peer);
  const chainError = tls.authorized ? undefined : String(tls.authorizationError ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  return { details: { ...tlsFacts(tls, mode), hostnameMatches, trusted: !chainError }, chainError };
}

/** The audit's handshakes, each on a fresh connection: TLS first (strict), or PRELOGIN then TLS inside it (classic). */
function handshaker(target: Target): Handshaker {
  if (target.encrypt === 'strict') return (socket, versions, signal) => strictTls(target, socket, signal, versions);
  return async (socket, versions, signal) => {
    await exchangePrelogin(socket, Encryption.ON, signal);
    return classicTls(target, socket, signal, versions);
  };
}

interface TlsCheck {
  details: TlsDetails;
  error?: Classification;
  /** Where the TLS handshake went, once the server got that far: the audit asks the same address and port. */
  reached?: { address: string; port: number };
  browser?: BrowserDetails;
}

/** The probe's own handshake, with the target's settings, and the certificate checks tedious would make. */
async function checkTls(rec: ProbeRecorder, target: Target, options: ProbeOptions, signal: AbortSignal): Promise<TlsCheck> {
  const strict = target.encrypt === 'strict';
  const check: TlsCheck = { details: { mode: strict ? 'strict' : 'classic' } };
  let socket: Socket | undefined;
  let tls: TLSSocket | undefined;
  const fail = (error: unknown, server?: Classification): TlsCheck => ({ ...check, error: server ?? rec.classify({ error, timedOut: signal.aborted }) });
  try {
    const { addresses } = await rec.time('dns', () => resolveHost(target.server, { servers: options.dnsServers, timeoutMs: options.timeoutMs, signal }));
    const address = addresses[0].address;
    const routed = await routeToInstance(rec, target, address, options.timeoutMs, signal);
    check.browser = routed.browser;
    if (routed.error) return fail(undefined, routed.error);
    const port = rec.instance?.port ?? target.port;
    const open = await rec.time('tcp', () => connectTcp(address, port, signal));
    socket = open;
    if (strict) {
      check.reached = { address, port };
      tls = await rec.time('tls', () => strictTls(target, open, signal));
      const secure = tls;
      const answer = await rec.time('prelogin', () => exchangePrelogin(secure, Encryption.NOT_SUP, signal));
      check.details = { ...check.details, ...preloginFacts(answer), encryption: 'strict' };
    } else {
      const answer = await rec.time('prelogin', () => exchangePrelogin(open, Encryption.ON, signal));
      check.details = { ...check.details, ...preloginFacts(answer) };
      if (check.details.encryption !== 'on' && check.details.encryption !== 'required') {
        return fail(undefined, rec.classify({ class: 'encryption-not-supported', message: `the server answered PRELOGIN with encryption ${check.details.encryption ?? 'missing'}` }));
      }
      check.reached = { address, port };
      tls = await rec.time('tls', () => classicTls(target, open, signal));
    }
    const checked = verification(target, tls, check.details.mode);
    check.details = { ...check.details, ...checked.details };
    // tedious skips both checks with trustServerCertificate, except in strict mode.
    const verify = strict || !target.trustServerCertificate;
    if (verify && checked.chainError) return fail(Object.assign(new Error(`certificate not trusted: ${checked.chainError}`), { code: checked.chainError }));
    if (verify && !checked.details.hostnameMatches) {
      const names = checked.details.cert?.subjectAltNames.join(', ') || checked.details.cert?.subject;
      return fail(Object.assign(new Error(`the certificate (${names}) does not name ${target.server}`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }));
    }
    return check;
  } catch (error) {
    return fail(error);
  } finally {
    tls?.destroy();
    socket?.destroy();
  }
}

/**
 * PRELOGIN with our codec, then the TLS handshake (classic inside PRELOGIN packets, or strict TDS
 * 8.0), and close without logging in: no credentials needed. Reports the server version, the
 * encryption agreed, TLS version and cipher, the certificate and whether it is trusted and names
 * the host. About four round trips: TCP, PRELOGIN and two for the TLS 1.2 handshake. With
 * expect.minTls (or --tls-audit) it then audits which TLS versions the server accepts, even when
 * the handshake above failed: a server that speaks only TLS 1.0 is exactly what the audit explains.
 */
export const tlsProber: Prober = async (target, options, signal) => {
  const rec = new ProbeRecorder(target, 'tls', options);
  const check = await checkTls(rec, target, options, signal);
  const audited = check.reached && wantsAudit(target, options) ? await auditTls(rec, target, check.reached, handshaker(target), options, signal) : undefined;
  const tls = audited ? { ...check.details, audit: audited.audit } : check.details;
  return rec.result(check.error ?? audited?.error, { tls, ...(check.error ? {} : { encrypted: true }), ...(check.browser ? { browser: check.browser } : {}) });
};
