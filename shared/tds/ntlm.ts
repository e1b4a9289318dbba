import { ByteReader, TdsDecodeError } from './bytes';

/**
 * NTLM messages as they ride in TDS (MS-NLMP 2.2): the client's NEGOTIATE in LOGIN7's SSPI field,
 * the server's CHALLENGE in an SSPI token (0xED), the client's AUTHENTICATE in an SSPI message
 * (packet type 0x11). https://learn.microsoft.com/openspecs/windows_protocols/ms-nlmp/
 */

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
export const NtlmType = { NEGOTIATE: 1, CHALLENGE: 2, AUTHENTICATE: 3 } as const;
export const NtlmFlag = {
  UNICODE: 0x00000001,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
} as const;
/** AV_PAIR ids of the CHALLENGE's target information. */
export const AvId = { EOL: 0, NB_COMPUTER: 1, NB_DOMAIN: 2, DNS_COMPUTER: 3, DNS_DOMAIN: 4, TIMESTAMP: 7 } as const;

/** The SSPI token (0xED) that carries a server's NTLM message in a TDS token stream. */
export const SSPI_TOKEN = 0xed;

export function encodeSspiToken(data: Buffer): Buffer {
  const header = Buffer.alloc(3);
  header.writeUInt8(SSPI_TOKEN, 0);
  header.writeUInt16LE(data.length, 1);
  return Buffer.concat([header, data]);
}

/** The message type of an NTLM message, or undefined when it does not start with the NTLMSSP signature. */
export function ntlmMessageType(buf: Buffer): number | undefined {
  return buf.length >= 12 && buf.subarray(0, 8).equals(SIGNATURE) ? buf.readUInt32LE(8) : undefined;
}

export interface NtlmChallenge {
  flags: number;
  /** The server's 8-byte nonce. */
  serverChallenge: Buffer;
  /** The domain (or, outside a domain, the server) the server authenticates for. */
  targetName: string;
  nbDomain?: string;
  dnsDomain?: string;
  nbComputer?: string;
  dnsComputer?: string;
  /** The AV_PAIR bytes, EOL included, as clients copy them into their NTLMv2 response. */
  targetInfo: Buffer;
}

/** Target information: NetBIOS and DNS names of the server and its domain, then EOL. */
export function encodeTargetInfo(names: { nbDomain: string; nbComputer: string; dnsDomain?: string; dnsComputer?: string }): Buffer {
  const pairs: [number, string | undefined][] = [
    [AvId.NB_DOMAIN, names.nbDomain], [AvId.NB_COMPUTER, names.nbComputer], [AvId.DNS_DOMAIN, names.dnsDomain], [AvId.DNS_COMPUTER, names.dnsComputer],
  ];
  const parts = pairs.filter((p): p is [number, string] => !!p[1]).map(([id, value]) => {
    const text = Buffer.from(value, 'ucs2');
    const head = Buffer.alloc(4);
    head.writeUInt16LE(id, 0);
    head.writeUInt16LE(text.length, 2);
    return Buffer.concat([head, text]);
  });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

/**
 * A CHALLENGE with the target name right after the 56-byte header and the target info after it:
 * the layout Windows uses, and the one tedious's parser assumes.
 */
export function encodeChallenge(c: { serverChallenge: Buffer; targetName: string; targetInfo: Buffer; flags?: number }): Buffer {
  const name = Buffer.from(c.targetName, 'ucs2');
  const flags = c.flags ?? (NtlmFlag.UNICODE | NtlmFlag.REQUEST_TARGET | NtlmFlag.NTLM | NtlmFlag.ALWAYS_SIGN | NtlmFlag.TARGET_TYPE_DOMAIN | NtlmFlag.EXTENDED_SESSIONSECURITY | NtlmFlag.TARGET_INFO | NtlmFlag.VERSION);
  const head = Buffer.alloc(56);
  SIGNATURE.copy(head, 0);
  head.writeUInt32LE(NtlmType.CHALLENGE, 8);
  head.writeUInt16LE(name.length, 12);
  head.writeUInt16LE(name.length, 14);
  head.writeUInt32LE(56, 16);
  head.writeUInt32LE(flags >>> 0, 20);
  c.serverChallenge.copy(head, 24);
  head.writeUInt16LE(c.targetInfo.length, 40);
  head.writeUInt16LE(c.targetInfo.length, 42);
  head.writeUInt32LE(56 + name.length, 44);
  // Version: 10.0 build 20348, NTLM revision 15.
  head.set([10, 0, 0x4c, 0x4f, 0, 0, 0, 15], 48);
  return Buffer.concat([head, name, c.targetInfo]);
}

/** A (length, maxLength, offset) field of an NTLM message. */
function field(buf: Buffer, at: number): Buffer {
  const r = new ByteReader(buf, at);
  const length = r.u16le();
  r.u16le();
  const offset = r.u32le();
  return new ByteReader(buf, offset).bytes(length);
}

function avPairs(info: Buffer): Map<number, string> {
  const out = new Map<number, string>();
  const r = new ByteReader(info);
  while (r.remaining >= 4) {
    const id = r.u16le();
    const value = r.bytes(r.u16le());
    if (id === AvId.EOL) break;
    out.set(id, value.toString('ucs2'));
  }
  return out;
}

export function decodeChallenge(buf: Buffer): NtlmChallenge {
  if (ntlmMessageType(buf) !== NtlmType.CHALLENGE) throw new TdsDecodeError('not an NTLM CHALLENGE message');
  if (buf.length < 48) throw new TdsDecodeError(`NTLM CHALLENGE truncated: ${buf.length} bytes`);
  const flags = buf.readUInt32LE(20);
  const targetInfo = flags & NtlmFlag.TARGET_INFO ? field(buf, 40) : Buffer.alloc(0);
  const pairs = avPairs(targetInfo);
  const name = field(buf, 12);
  return {
    flags,
    serverChallenge: Buffer.from(buf.subarray(24, 32)),
    targetName: flags & NtlmFlag.UNICODE ? name.toString('ucs2') : name.toString('latin1'),
    nbDomain: pairs.get(AvId.NB_DOMAIN),
    dnsDomain: pairs.get(AvId.DNS_DOMAIN),
    nbComputer: pairs.get(AvId.NB_COMPUTER),
    dnsComputer: pairs.get(AvId.DNS_COMPUTER),
    targetInfo: Buffer.from(targetInfo),
  };
}

export interface NtlmAuthenticate {
  flags: number;
  lmResponse: Buffer;
  ntResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
}

/** The AUTHENTICATE's fields a server verifies; strings are UTF-16 with NEGOTIATE_UNICODE, else OEM. */
export function decodeAuthenticate(buf: Buffer): NtlmAuthenticate {
  if (ntlmMessageType(buf) !== NtlmType.AUTHENTICATE) throw new TdsDecodeError('not an NTLM AUTHENTICATE message');
  const flags = buf.length >= 64 ? buf.readUInt32LE(60) : NtlmFlag.UNICODE;
  const text = (at: number): string => field(buf, at).toString(flags & NtlmFlag.UNICODE ? 'ucs2' : 'latin1');
  return { flags, lmResponse: field(buf, 12), ntResponse: field(buf, 20), domain: text(28), user: text(36), workstation: text(44) };
}
