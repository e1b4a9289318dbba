import { constants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';

export interface TlsContexts {
  /** TLS inside PRELOGIN: capped at 1.2 and without session tickets, so every handshake is a full one. */
  classic: tls.SecureContext;
  /** TDS 8.0: TLS first, 1.2 or 1.3. */
  strict: tls.SecureContext;
}

export function loadTlsContexts(files: { certFile: string; keyFile: string }): TlsContexts {
  const cert = readFileSync(files.certFile);
  const key = readFileSync(files.keyFile);
  return {
    classic: tls.createSecureContext({ cert, key, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', secureOptions: constants.SSL_OP_NO_TICKET }),
    strict: tls.createSecureContext({ cert, key, minVersion: 'TLSv1.2' }),
  };
}
