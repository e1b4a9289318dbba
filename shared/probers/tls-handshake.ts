import { readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Target } from '../config/target';
import { decodePrelogin, Encryption, MessageSocket, PacketType, PreloginTlsBridge, clientPrelogin, type Prelogin } from '../tds';
import { tlsFacts, type TlsDetails } from './cert';

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

/** A TLS client that verifies nothing itself, so the prober can report chain trust and hostname separately. */
function startTls(target: Target, socket: Duplex, strict: boolean): TLSSocket {
  return tlsConnect({
    socket,
    ...(isIP(target.server) ? {} : { servername: target.server }),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ...(target.caFile ? { ca: readFileSync(target.caFile) } : {}),
    // Classic TDS encryption is capped at TLS 1.2 (what drivers do, and what the bridge relies on).
    ...(strict ? { ALPNProtocols: ['tds/8.0'] } : { maxVersion: 'TLSv1.2' as const }),
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
export function classicTls(target: Target, socket: Socket, signal: AbortSignal): Promise<TLSSocket> {
  const bridge = new PreloginTlsBridge((bytes) => socket.write(bytes));
  socket.on('data', (chunk: Buffer) => {
    try {
      bridge.receive(chunk);
    } catch (err) {
      socket.destroy(err as Error);
    }
  });
  const tls = startTls(target, bridge.tlsSide, false);
  socket.once('close', () => tls.destroy(new Error('connection closed during the TLS handshake')));
  socket.once('error', (err) => tls.destroy(err));
  return handshake(tls, signal);
}

/** Strict (TDS 8.0): TLS first, with ALPN tds/8.0. */
export function strictTls(target: Target, socket: Socket, signal: AbortSignal): Promise<TLSSocket> {
  return handshake(startTls(target, socket, true), signal);
}

/** What the handshake proved about the certificate: chain trust (by the CA in use) and the host name. */
export function verification(target: Target, tls: TLSSocket, mode: TlsDetails['mode']): { details: TlsDetails; chainError?: string } {
  const peer = tls.getPeerCertificate();
  const hostnameMatches = !!peer.subject && !checkServerIdentity(target.server, peer);
  const chainError = tls.authorized ? undefined : String(tls.authorizationError ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  return { details: { ...tlsFacts(tls, mode), hostnameMatches, trusted: !chainError }, chainError };
}
