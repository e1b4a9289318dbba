import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { z } from 'zod';
import type { tlsDetailsSchema } from './result';

export type TlsDetails = z.infer<typeof tlsDetailsSchema>;
export type CertFacts = NonNullable<TlsDetails['cert']>;

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
