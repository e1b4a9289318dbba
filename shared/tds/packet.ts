import { TdsDecodeError } from './bytes';

/** TDS packet types (MS-TDS 2.2.3.1.1). */
export const PacketType = {
  SQL_BATCH: 0x01,
  RPC: 0x03,
  TABULAR_RESULT: 0x04,
  ATTENTION: 0x06,
  LOGIN7: 0x10,
  PRELOGIN: 0x12,
  /** A client's SSPI message (the NTLM AUTHENTICATE after the server's challenge). */
  SSPI: 0x11,
} as const;

/** Packet status bits. IGNORE marks a message the client abandoned part-way. */
export const PacketStatus = { EOM: 0x01, IGNORE: 0x02, RESET_CONNECTION: 0x08 } as const;

export const HEADER_LENGTH = 8;
export const MIN_PACKET_SIZE = 512;
export const MAX_PACKET_SIZE = 32767;
export const DEFAULT_PACKET_SIZE = 4096;

/** One reassembled message: the payloads of its packets up to and including EOM. */
export interface TdsMessage {
  type: number;
  /** Status of the last packet (EOM set; IGNORE when the client abandoned the message). */
  status: number;
  spid: number;
  payload: Buffer;
}

export interface EncodeOptions {
  packetSize?: number;
  spid?: number;
}

/** Frames a payload into packets of at most `packetSize` bytes (header included). */
export function encodeMessage(type: number, payload: Buffer, opts: EncodeOptions = {}): Buffer {
  const packetSize = opts.packetSize ?? DEFAULT_PACKET_SIZE;
  if (packetSize < MIN_PACKET_SIZE || packetSize > MAX_PACKET_SIZE) {
    throw new RangeError(`packet size ${packetSize} outside ${MIN_PACKET_SIZE}..${MAX_PACKET_SIZE}`);
  }
  const room = packetSize - HEADER_LENGTH;
  const count = Math.max(1, Math.ceil(payload.length / room));
  const out = Buffer.allocUnsafe(payload.length + count * HEADER_LENGTH);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const body = payload.subarray(i * room, (i + 1) * room);
    out.writeUInt8(type, at);
    out.writeUInt8(i === count - 1 ? PacketStatus.EOM : 0, at + 1);
    out.writeUInt16BE(body.length + HEADER_LENGTH, at + 2);
    out.writeUInt16BE(opts.spid ?? 0, at + 4);
    out.writeUInt8((i + 1) & 0xff, at + 6);
    out.writeUInt8(0, at + 7);
    body.copy(out, at + HEADER_LENGTH);
    at += body.length + HEADER_LENGTH;
  }
  return out;
}

/**
 * Incremental reassembler for a byte stream of packets, usable on either end of a socket.
 * Feed it chunks as they arrive; it returns every message completed by that chunk. After a
 * TdsDecodeError the stream is out of sync and the reader must be discarded.
 */
export class PacketReader {
  private buffered: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private partsLength = 0;
  private partType = -1;

  constructor(private readonly maxMessageBytes = 4 * 1024 * 1024) {}

  /** Bytes received that do not yet form a complete packet. */
  get pendingBytes(): number {
    return this.buffered.length + this.partsLength;
  }

  /** Hands back the bytes after the last complete message (for a switch to raw TLS) and empties the reader. */
  takeRemainder(): Buffer {
    const rest = Buffer.concat([...this.parts, this.buffered]);
    this.buffered = Buffer.alloc(0);
    this.parts = [];
    this.partsLength = 0;
    this.partType = -1;
    return rest;
  }

  push(chunk: Buffer): TdsMessage[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const done: TdsMessage[] = [];
    while (this.buffered.length >= HEADER_LENGTH) {
      const length = this.buffered.readUInt16BE(2);
      if (length < HEADER_LENGTH || length > MAX_PACKET_SIZE) {
        throw new TdsDecodeError(`bad packet length ${length}`);
      }
      if (this.buffered.length < length) break;
      const type = this.buffered[0];
      const status = this.buffered[1];
      const spid = this.buffered.readUInt16BE(4);
      const body = this.buffered.subarray(HEADER_LENGTH, length);
      this.buffered = this.buffered.subarray(length);
      if (this.partType !== -1 && this.partType !== type) {
        throw new TdsDecodeError(`packet type 0x${type.toString(16)} inside a 0x${this.partType.toString(16)} message`);
      }
      this.partType = type;
      this.parts.push(body);
      this.partsLength += body.length;
      if (this.partsLength > this.maxMessageBytes) throw new TdsDecodeError('message too large');
      if (status & PacketStatus.EOM) {
        const payload = this.parts.length === 1 ? Buffer.from(this.parts[0]) : Buffer.concat(this.parts);
        done.push({ type, status, spid, payload });
        this.parts = [];
        this.partsLength = 0;
        this.partType = -1;
      }
    }
    if (this.buffered.length === 0) this.buffered = Buffer.alloc(0);
    return done;
  }
}

/** TDS protocol versions as sent in LOGIN7 (little-endian) and LOGINACK (big-endian). */
export const TdsVersion = {
  V7_1: 0x71000001,
  V7_2: 0x72090002,
  V7_3A: 0x730a0003,
  V7_3B: 0x730b0003,
  V7_4: 0x74000004,
  V8_0: 0x08000000,
} as const;

const KNOWN_7X = [TdsVersion.V7_1, TdsVersion.V7_2, TdsVersion.V7_3A, TdsVersion.V7_3B, TdsVersion.V7_4] as number[];

/**
 * The version a server acknowledges: the client's own when it is a 7.x version drivers know
 * (tedious rejects any other LOGINACK version), otherwise 7.4, including for TDS 8.0.
 */
export function negotiateTdsVersion(client: number): number {
  return KNOWN_7X.includes(client) ? client : TdsVersion.V7_4;
}

/**
 * TDS 7.1 uses narrower fields than 7.2+: DONE row counts (4 vs 8 bytes), COLMETADATA user types
 * (2 vs 4) and INFO/ERROR line numbers (2 vs 4). Compared on the major/minor byte.
 */
export function isTds72OrLater(version: number): boolean {
  return version >>> 24 >= 0x72 || version === TdsVersion.V8_0;
}

/** Token type bytes (MS-TDS 2.2.7). */
export const TokenType = {
  RETURNSTATUS: 0x79,
  COLMETADATA: 0x81,
  ERROR: 0xaa,
  INFO: 0xab,
  LOGINACK: 0xad,
  FEATUREEXTACK: 0xae,
  ROW: 0xd1,
  ENVCHANGE: 0xe3,
  DONE: 0xfd,
  DONEPROC: 0xfe,
  DONEINPROC: 0xff,
} as const;
