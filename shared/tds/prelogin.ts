import { ByteReader, ByteWriter, TdsDecodeError } from './bytes';

/** PRELOGIN option tokens (MS-TDS 2.2.6.5). */
export const PreloginOption = {
  VERSION: 0x00,
  ENCRYPTION: 0x01,
  INSTOPT: 0x02,
  THREADID: 0x03,
  MARS: 0x04,
  TRACEID: 0x05,
  FEDAUTHREQUIRED: 0x06,
  NONCEOPT: 0x07,
  TERMINATOR: 0xff,
} as const;

/** ENCRYPTION option values. CLIENT_CERT is a flag bit a client may OR in. */
export const Encryption = { OFF: 0x00, ON: 0x01, NOT_SUP: 0x02, REQ: 0x03, CLIENT_CERT: 0x80 } as const;

export interface PreloginVersion {
  major: number;
  minor: number;
  build: number;
  subbuild: number;
}

export interface Prelogin {
  version?: PreloginVersion;
  encryption?: number;
  instance?: string;
  threadId?: number;
  mars?: number;
  traceId?: Buffer;
  fedAuthRequired?: number;
  nonce?: Buffer;
}

/** Encodes the options that are present, in token order. */
export function encodePrelogin(p: Prelogin): Buffer {
  const data: Array<[number, Buffer]> = [];
  if (p.version) {
    const v = p.version;
    data.push([PreloginOption.VERSION, new ByteWriter().u8(v.major).u8(v.minor).u16be(v.build).u16be(v.subbuild).toBuffer()]);
  }
  if (p.encryption !== undefined) data.push([PreloginOption.ENCRYPTION, Buffer.from([p.encryption])]);
  if (p.instance !== undefined) data.push([PreloginOption.INSTOPT, Buffer.from(`${p.instance}\0`, 'latin1')]);
  if (p.threadId !== undefined) data.push([PreloginOption.THREADID, new ByteWriter().u32be(p.threadId).toBuffer()]);
  if (p.mars !== undefined) data.push([PreloginOption.MARS, Buffer.from([p.mars])]);
  if (p.traceId) data.push([PreloginOption.TRACEID, p.traceId]);
  if (p.fedAuthRequired !== undefined) data.push([PreloginOption.FEDAUTHREQUIRED, Buffer.from([p.fedAuthRequired])]);
  if (p.nonce) data.push([PreloginOption.NONCEOPT, p.nonce]);

  const w = new ByteWriter();
  let offset = data.length * 5 + 1;
  for (const [token, value] of data) {
    w.u8(token).u16be(offset).u16be(value.length);
    offset += value.length;
  }
  w.u8(PreloginOption.TERMINATOR);
  for (const [, value] of data) w.raw(value);
  return w.toBuffer();
}

/** Decodes a PRELOGIN payload from either side; unknown options are skipped. */
export function decodePrelogin(buf: Buffer): Prelogin {
  const r = new ByteReader(buf);
  const out: Prelogin = {};
  for (;;) {
    const token = r.u8();
    if (token === PreloginOption.TERMINATOR) break;
    const offset = r.u16be();
    const length = r.u16be();
    if (offset + length > buf.length) throw new TdsDecodeError(`PRELOGIN option ${token} overruns the payload`);
    const v = new ByteReader(buf.subarray(offset, offset + length));
    switch (token) {
      case PreloginOption.VERSION:
        out.version = { major: v.u8(), minor: v.u8(), build: v.u16be(), subbuild: v.remaining >= 2 ? v.u16be() : 0 };
        break;
      case PreloginOption.ENCRYPTION:
        out.encryption = v.u8();
        break;
      case PreloginOption.INSTOPT: {
        const raw = v.bytes(length).toString('latin1');
        out.instance = raw.replace(/\0.*/s, '');
        break;
      }
      case PreloginOption.THREADID:
        if (length >= 4) out.threadId = v.u32be();
        break;
      case PreloginOption.MARS:
        out.mars = v.u8();
        break;
      case PreloginOption.TRACEID:
        out.traceId = Buffer.from(v.bytes(length));
        break;
      case PreloginOption.FEDAUTHREQUIRED:
        out.fedAuthRequired = v.u8();
        break;
      case PreloginOption.NONCEOPT:
        out.nonce = Buffer.from(v.bytes(length));
        break;
    }
  }
  return out;
}

/** A client's PRELOGIN request with the fields drivers send. */
export function clientPrelogin(opts: { encryption: number; instance?: string; fedAuthRequired?: boolean }): Buffer {
  return encodePrelogin({
    version: { major: 0, minor: 0, build: 0, subbuild: 0 },
    encryption: opts.encryption,
    instance: opts.instance ?? '',
    threadId: 0,
    mars: 0,
    fedAuthRequired: opts.fedAuthRequired ? 1 : undefined,
  });
}

/**
 * What happens after PRELOGIN: no TLS, TLS for the LOGIN7 packet only, TLS for everything, or the
 * connection ends because one side cannot meet the other's requirement.
 */
export type EncryptionOutcome = 'none' | 'login-only' | 'full' | 'client-closes' | 'server-closes';

export interface Negotiation {
  /** The ENCRYPTION value the server answers with. */
  response: number;
  outcome: EncryptionOutcome;
}

const { OFF, ON, NOT_SUP, REQ } = Encryption;

/** MS-TDS 2.2.6.5 negotiation table, keyed by client value then server setting. */
const TABLE: Record<number, Record<number, Negotiation>> = {
  [OFF]: {
    [OFF]: { response: OFF, outcome: 'login-only' },
    [ON]: { response: REQ, outcome: 'full' },
    [NOT_SUP]: { response: NOT_SUP, outcome: 'none' },
  },
  [ON]: {
    [OFF]: { response: ON, outcome: 'full' },
    [ON]: { response: ON, outcome: 'full' },
    [NOT_SUP]: { response: NOT_SUP, outcome: 'client-closes' },
  },
  [NOT_SUP]: {
    [OFF]: { response: NOT_SUP, outcome: 'none' },
    [ON]: { response: REQ, outcome: 'server-closes' },
    [NOT_SUP]: { response: NOT_SUP, outcome: 'none' },
  },
  [REQ]: {
    [OFF]: { response: ON, outcome: 'full' },
    [ON]: { response: ON, outcome: 'full' },
    [NOT_SUP]: { response: NOT_SUP, outcome: 'server-closes' },
  },
};

/**
 * Server side of the negotiation. `server` is OFF (supported, not required), ON (required) or
 * NOT_SUP. A missing client option counts as OFF; the CLIENT_CERT bit is ignored.
 */
export function negotiateEncryption(client: number | undefined, server: number): Negotiation {
  const row = TABLE[(client ?? OFF) & 0x7f] ?? TABLE[OFF];
  const cell = row[server];
  if (!cell) throw new RangeError(`server encryption setting ${server} is not OFF, ON or NOT_SUP`);
  return cell;
}
