import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Encryption } from '../tds';
import type { Classification } from '../classify/schema';
import type { TlsDetails } from './cert';
import { connectTcp } from './connect';
import { ProbeRecorder } from './record';
import { resolveHost } from './resolve';
import { classicTls, exchangePrelogin, preloginFacts, strictTls, verification } from './tls-handshake';
import type { Prober } from './types';

/**
 * PRELOGIN with our codec, then the TLS handshake (classic inside PRELOGIN packets, or strict TDS
 * 8.0), and close without logging in: no credentials needed. Reports the server version, the
 * encryption agreed, TLS version and cipher, the certificate and whether it is trusted and names
 * the host. About four round trips: TCP, PRELOGIN and two for the TLS 1.2 handshake.
 */
export const tlsProber: Prober = async (target, options, signal) => {
  const rec = new ProbeRecorder(target, 'tls', options, 'dns');
  const strict = target.encrypt === 'strict';
  let details: TlsDetails = { mode: strict ? 'strict' : 'classic' };
  let socket: Socket | undefined;
  let tls: TLSSocket | undefined;
  const fail = (error: unknown, server?: Classification) => rec.result(server ?? rec.classify({ error, timedOut: signal.aborted }), { tls: details });
  try {
    const { addresses } = await rec.time('dns', () => resolveHost(target.server, { servers: options.dnsServers, timeoutMs: options.timeoutMs, signal }));
    const open = await rec.time('tcp', () => connectTcp(addresses[0].address, target.port, signal));
    socket = open;
    if (strict) {
      tls = await rec.time('tls', () => strictTls(target, open, signal));
      const secure = tls;
      const answer = await rec.time('prelogin', () => exchangePrelogin(secure, Encryption.NOT_SUP, signal));
      details = { ...details, ...preloginFacts(answer), encryption: 'strict' };
    } else {
      const answer = await rec.time('prelogin', () => exchangePrelogin(open, Encryption.ON, signal));
      details = { ...details, ...preloginFacts(answer) };
      if (details.encryption !== 'on' && details.encryption !== 'required') {
        return fail(undefined, rec.classify({ class: 'encryption-not-supported', message: `the server answered PRELOGIN with encryption ${details.encryption ?? 'missing'}` }));
      }
      tls = await rec.time('tls', () => classicTls(target, open, signal));
    }
    const checked = verification(target, tls, details.mode);
    details = { ...details, ...checked.details };
    // tedious skips both checks with trustServerCertificate, except in strict mode.
    const verify = strict || !target.trustServerCertificate;
    if (verify && checked.chainError) return fail(Object.assign(new Error(`certificate not trusted: ${checked.chainError}`), { code: checked.chainError }));
    if (verify && !checked.details.hostnameMatches) {
      const names = checked.details.cert?.subjectAltNames.join(', ') || checked.details.cert?.subject;
      return fail(Object.assign(new Error(`the certificate (${names}) does not name ${target.server}`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }));
    }
    return rec.result(undefined, { tls: details, encrypted: true });
  } catch (error) {
    return fail(error);
  } finally {
    tls?.destroy();
    socket?.destroy();
  }
};
