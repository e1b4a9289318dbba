import type { Connection } from 'tedious';
import type { FailureInput, ServerError } from '../classify';
import type { Target } from '../config';
import { decodeChallenge, type NtlmChallenge } from '../tds';

/**
 * Keeps the NTLM CHALLENGE the server sends during a Windows login. tedious holds it on the
 * connection (`ntlmpacketBuffer`, not part of its typed API) only until it answers, so an accessor
 * records it as it is set. A tedious that renames the field leaves the challenge unknown, and an
 * 18452 then keeps its generic class (a test would notice).
 */
export function captureChallenge(connection: Connection): () => NtlmChallenge | undefined {
  let raw: Buffer | undefined;
  let held: unknown;
  Object.defineProperty(connection, 'ntlmpacketBuffer', {
    configurable: true,
    get: () => held,
    set: (value: unknown) => {
      held = value;
      if (Buffer.isBuffer(value)) raw = Buffer.from(value);
    },
  });
  return () => {
    try {
      return raw ? decodeChallenge(raw) : undefined;
    } catch {
      return undefined;
    }
  };
}

/** The names a server's challenge gives for its domain: the NetBIOS and DNS names, and the target name. */
function serverDomains(c: NtlmChallenge): string[] {
  return [...new Set([c.nbDomain, c.dnsDomain, c.targetName].filter((n): n is string => !!n))];
}

/**
 * Error 18452 is what the client sees both when the login's domain is not trusted and when the
 * server's own domain controller refused the password (the server then logs "SSPI handshake failed"
 * with 0x8009030c: https://github.com/tediousjs/tedious/issues/388). The server's challenge names its domain, so the
 * two get their own class and advice: another domain needs a trust; the same domain, a password.
 */
export function windowsLoginFailure(target: Target, challenge: NtlmChallenge | undefined, server: ServerError | undefined): Pick<FailureInput, 'class' | 'message'> | undefined {
  if (target.auth.type !== 'ntlm' || server?.number !== 18452) return undefined;
  // A Windows login: 18452 is never the SQL-login advice here. Without the challenge the server's domain is unknown.
  if (!challenge) return { class: 'login-untrusted-domain', message: `${server.message} (the server sent no NTLM challenge, so its domain is unknown)` };
  const names = serverDomains(challenge);
  const login = target.auth.domain;
  const same = names.some((n) => n.toLowerCase() === login.toLowerCase());
  const serverIn = `the server is in ${names.join(' / ') || 'an unnamed domain'}`;
  return same
    ? { class: 'login-domain-password', message: `${server.message} (${serverIn}, the login's own domain: its domain controller refused the credentials of ${login}\\${target.auth.user})` }
    : { class: 'login-untrusted-domain', message: `${server.message} (${serverIn}; the login is from ${login})` };
}
