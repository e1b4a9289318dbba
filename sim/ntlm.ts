import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeChallenge, encodeTargetInfo, type NtlmAuthenticate } from '../shared/tds';
import type { WindowsDomain, WindowsLogin } from './config';
import { md4 } from './md4';

/**
 * The server side of NTLM, with the simulator as its own domain controller: it issues a challenge
 * and verifies the client's NTLMv2 response itself (MS-NLMP 3.3.2), as Windows would.
 * https://learn.microsoft.com/openspecs/windows_protocols/ms-nlmp/5e550938-91d4-459f-b67d-75d70009e3f3
 */

export interface NtlmChallengeState {
  serverChallenge: Buffer;
  /** The CHALLENGE message, for the SSPI token. */
  message: Buffer;
}

export function issueChallenge(domain: WindowsDomain): NtlmChallengeState {
  const serverChallenge = randomBytes(8);
  const targetInfo = encodeTargetInfo({
    nbDomain: domain.domain, nbComputer: domain.computer, dnsDomain: domain.dnsDomain, dnsComputer: `${domain.computer.toLowerCase()}.${domain.dnsDomain}`,
  });
  return { serverChallenge, message: encodeChallenge({ serverChallenge, targetName: domain.domain, targetInfo }) };
}

const hmac = (key: Buffer, ...data: Buffer[]): Buffer => createHmac('md5', key).update(Buffer.concat(data)).digest();
const same = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** NTOWFv2 = HMAC_MD5(MD4(UNICODE(password)), UNICODE(Uppercase(user) + domain)). */
function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmac(md4(Buffer.from(password, 'ucs2')), Buffer.from(user.toUpperCase() + domain, 'ucs2'));
}

export type NtlmVerdict =
  | { ok: true; account: string; proof: 'NTLMv2' | 'LMv2' }
  | { ok: false; reason: string };

/** Whether `name` is the server's own domain (by NetBIOS or DNS name) or one it trusts. */
function trusted(domain: WindowsDomain, name: string): boolean {
  return [domain.domain, domain.dnsDomain, ...domain.trustedDomains].some((d) => d.toLowerCase() === name.toLowerCase());
}

/** The login's domain in the accounts' terms: the server's DNS domain name is its NetBIOS one. */
const canonical = (domain: WindowsDomain, name: string): string => (name.toLowerCase() === domain.dnsDomain.toLowerCase() ? domain.domain : name).toUpperCase();

/**
 * Verifies an AUTHENTICATE against the challenge. The NTLMv2 response (NtChallengeResponse longer
 * than 24 bytes) or the LMv2 response must prove the password; as MS-NLMP's server does, either one
 * suffices (tedious sends a short NtChallengeResponse and is verified by its LMv2). NTLMv1 is
 * refused, as by Windows at LmCompatibilityLevel 5. The domain enters the key as sent; tedious
 * hashes it in upper case, so that spelling is tried too.
 */
export function verifyAuthenticate(auth: NtlmAuthenticate, serverChallenge: Buffer, domain: WindowsDomain, logins: readonly WindowsLogin[]): NtlmVerdict {
  if (!trusted(domain, auth.domain)) return { ok: false, reason: `untrusted domain ${auth.domain}` };
  const account = logins.find((l) => canonical(domain, l.domain) === canonical(domain, auth.domain) && l.user.toLowerCase() === auth.user.toLowerCase());
  if (!account) return { ok: false, reason: `no account ${auth.domain}\\${auth.user}` };
  if (auth.ntResponse.length === 24) return { ok: false, reason: 'NTLMv1 refused' };
  for (const key of [...new Set([auth.domain, auth.domain.toUpperCase()])].map((d) => ntowfv2(account.password, auth.user, d))) {
    const nt = auth.ntResponse;
    if (nt.length > 24 && same(nt.subarray(0, 16), hmac(key, serverChallenge, nt.subarray(16)))) return { ok: true, account: `${account.domain}\\${account.user}`, proof: 'NTLMv2' };
    const lm = auth.lmResponse;
    if (lm.length === 24 && same(lm.subarray(0, 16), hmac(key, serverChallenge, lm.subarray(16)))) return { ok: true, account: `${account.domain}\\${account.user}`, proof: 'LMv2' };
  }
  return { ok: false, reason: `wrong password for ${auth.domain}\\${auth.user}` };
}
