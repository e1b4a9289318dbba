import { ByteReader, ByteWriter, TdsDecodeError } from './bytes';
import { type ColMetadata, type Column, decodeColMetadata, decodeRow, type Row } from './columns';
import { FeatureId } from './login7';
import { isTds72OrLater, TokenType } from './packet';

/** DONE status bits (MS-TDS 2.2.7.6). */
export const DoneStatus = { FINAL: 0x00, MORE: 0x01, ERROR: 0x02, INXACT: 0x04, COUNT: 0x10, ATTN: 0x20, SRVERROR: 0x100 } as const;

export type DoneKind = 'done' | 'doneproc' | 'doneinproc';

export interface Done {
  kind: DoneKind;
  status: number;
  curCmd: number;
  rowCount: bigint;
}

const TYPE_BY_KIND: Record<DoneKind, number> = {
  done: TokenType.DONE,
  doneproc: TokenType.DONEPROC,
  doneinproc: TokenType.DONEINPROC,
};

/** curCmd 0xC1 is SELECT, 0xE0 is EXECUTE; clients only look at status and row count. */
export function encodeDone(d: Partial<Done> & { kind: DoneKind }, tdsVersion: number): Buffer {
  const w = new ByteWriter()
    .u8(TYPE_BY_KIND[d.kind])
    .u16le(d.status ?? DoneStatus.FINAL)
    .u16le(d.curCmd ?? 0);
  const count = d.rowCount ?? 0n;
  return (isTds72OrLater(tdsVersion) ? w.u64le(count) : w.u32le(Number(count))).toBuffer();
}

export function decodeDone(kind: DoneKind, r: ByteReader, tdsVersion: number): Done {
  return {
    kind,
    status: r.u16le(),
    curCmd: r.u16le(),
    rowCount: isTds72OrLater(tdsVersion) ? r.u64le() : BigInt(r.u32le()),
  };
}

/** RETURNSTATUS: the stored procedure's return value, sent before its DONEPROC. */
export interface ReturnStatus {
  kind: 'returnstatus';
  value: number;
}

export function encodeReturnStatus(value: number): Buffer {
  return new ByteWriter().u8(TokenType.RETURNSTATUS).i32le(value).toBuffer();
}

export function decodeReturnStatus(r: ByteReader): ReturnStatus {
  return { kind: 'returnstatus', value: r.i32le() };
}

export interface LoginAck {
  kind: 'loginack';
  /** 1 = SQL_TSQL; tedious rejects anything else. */
  interface: number;
  tdsVersion: number;
  progName: string;
  progVersion: { major: number; minor: number; buildHi: number; buildLo: number };
}

export function encodeLoginAck(a: Omit<LoginAck, 'kind'>): Buffer {
  const v = a.progVersion;
  const body = new ByteWriter()
    .u8(a.interface)
    .u32be(a.tdsVersion)
    .bVarchar(a.progName)
    .u8(v.major)
    .u8(v.minor)
    .u8(v.buildHi)
    .u8(v.buildLo)
    .toBuffer();
  return new ByteWriter().u8(TokenType.LOGINACK).u16le(body.length).raw(body).toBuffer();
}

/** Reads the token body (after the type byte). */
export function decodeLoginAck(r: ByteReader): LoginAck {
  const body = new ByteReader(r.bytes(r.u16le()));
  return {
    kind: 'loginack',
    interface: body.u8(),
    tdsVersion: body.u32be(),
    progName: body.bVarchar(),
    progVersion: { major: body.u8(), minor: body.u8(), buildHi: body.u8(), buildLo: body.u8() },
  };
}

/** ENVCHANGE types this codec understands (MS-TDS 2.2.7.9). */
export const EnvChangeType = { DATABASE: 1, LANGUAGE: 2, PACKET_SIZE: 4, COLLATION: 7, ROUTING: 20 } as const;

export type EnvChange =
  | { kind: 'envchange'; type: 'database' | 'language'; value: string; old: string }
  | { kind: 'envchange'; type: 'packetSize'; value: number; old: number }
  | { kind: 'envchange'; type: 'collation'; value: Buffer; old: Buffer }
  /** Redirect: the client reconnects to server:port (protocol 0 = TCP). */
  | { kind: 'envchange'; type: 'routing'; protocol: number; port: number; server: string }
  | { kind: 'envchange'; type: 'other'; code: number; data: Buffer };

type EnvChangeInput = EnvChange extends infer T ? (T extends EnvChange ? Omit<T, 'kind'> : never) : never;

export function encodeEnvChange(e: EnvChangeInput): Buffer {
  const w = new ByteWriter();
  switch (e.type) {
    case 'database':
    case 'language':
      w.u8(e.type === 'database' ? EnvChangeType.DATABASE : EnvChangeType.LANGUAGE).bVarchar(e.value).bVarchar(e.old);
      break;
    case 'packetSize':
      w.u8(EnvChangeType.PACKET_SIZE).bVarchar(String(e.value)).bVarchar(String(e.old));
      break;
    case 'collation':
      w.u8(EnvChangeType.COLLATION).bVarbyte(e.value).bVarbyte(e.old);
      break;
    case 'routing': {
      const value = new ByteWriter().u8(e.protocol).u16le(e.port).usVarchar(e.server).toBuffer();
      w.u8(EnvChangeType.ROUTING).u16le(value.length).raw(value).u16le(0);
      break;
    }
    case 'other':
      w.u8(e.code).raw(e.data);
      break;
  }
  const body = w.toBuffer();
  return new ByteWriter().u8(TokenType.ENVCHANGE).u16le(body.length).raw(body).toBuffer();
}

export function decodeEnvChange(r: ByteReader): EnvChange {
  const body = new ByteReader(r.bytes(r.u16le()));
  const code = body.u8();
  switch (code) {
    case EnvChangeType.DATABASE:
    case EnvChangeType.LANGUAGE:
      return {
        kind: 'envchange',
        type: code === EnvChangeType.DATABASE ? 'database' : 'language',
        value: body.bVarchar(),
        old: body.bVarchar(),
      };
    case EnvChangeType.PACKET_SIZE:
      return { kind: 'envchange', type: 'packetSize', value: Number(body.bVarchar()), old: Number(body.bVarchar()) };
    case EnvChangeType.COLLATION:
      return { kind: 'envchange', type: 'collation', value: Buffer.from(body.bVarbyte()), old: Buffer.from(body.bVarbyte()) };
    case EnvChangeType.ROUTING: {
      const value = new ByteReader(body.bytes(body.u16le()));
      return { kind: 'envchange', type: 'routing', protocol: value.u8(), port: value.u16le(), server: value.usVarchar() };
    }
    default:
      return { kind: 'envchange', type: 'other', code, data: Buffer.from(body.bytes(body.remaining)) };
  }
}

export interface FeatureExtAck {
  kind: 'featureextack';
  features: Array<{ id: number; data: Buffer }>;
}

/** tedious requires a FEDAUTH ack with empty data after an access-token login. */
export function encodeFeatureExtAck(features: FeatureExtAck['features']): Buffer {
  const w = new ByteWriter().u8(TokenType.FEATUREEXTACK);
  for (const f of features) w.u8(f.id).u32le(f.data.length).raw(f.data);
  return w.u8(FeatureId.TERMINATOR).toBuffer();
}

export function decodeFeatureExtAck(r: ByteReader): FeatureExtAck {
  const features: FeatureExtAck['features'] = [];
  for (;;) {
    const id = r.u8();
    if (id === FeatureId.TERMINATOR) return { kind: 'featureextack', features };
    features.push({ id, data: Buffer.from(r.bytes(r.u32le())) });
  }
}

/** An INFO or ERROR token. `class` above 10 makes it an error. */
export interface ServerMessage {
  kind: 'error' | 'info';
  number: number;
  state: number;
  class: number;
  message: string;
  serverName: string;
  procName: string;
  lineNumber: number;
}

export function encodeServerMessage(m: ServerMessage, tdsVersion: number): Buffer {
  const w = new ByteWriter().i32le(m.number).u8(m.state).u8(m.class).usVarchar(m.message).bVarchar(m.serverName).bVarchar(m.procName);
  if (isTds72OrLater(tdsVersion)) w.u32le(m.lineNumber);
  else w.u16le(m.lineNumber);
  const body = w.toBuffer();
  return new ByteWriter()
    .u8(m.kind === 'error' ? TokenType.ERROR : TokenType.INFO)
    .u16le(body.length)
    .raw(body)
    .toBuffer();
}

export function decodeServerMessage(kind: ServerMessage['kind'], r: ByteReader, tdsVersion: number): ServerMessage {
  const body = new ByteReader(r.bytes(r.u16le()));
  return {
    kind,
    number: body.i32le(),
    state: body.u8(),
    class: body.u8(),
    message: body.usVarchar(),
    serverName: body.bVarchar(),
    procName: body.bVarchar(),
    lineNumber: isTds72OrLater(tdsVersion) ? body.u32le() : body.u16le(),
  };
}

export type Token = LoginAck | EnvChange | ServerMessage | Done | ColMetadata | Row | FeatureExtAck | ReturnStatus;

/** Decodes a whole tabular-result payload. ROW tokens use the columns of the latest COLMETADATA. */
export function decodeTokens(payload: Buffer, tdsVersion: number): Token[] {
  const r = new ByteReader(payload);
  const tokens: Token[] = [];
  let columns: Column[] | undefined;
  while (r.remaining > 0) {
    const type = r.u8();
    switch (type) {
      case TokenType.LOGINACK:
        tokens.push(decodeLoginAck(r));
        break;
      case TokenType.ENVCHANGE:
        tokens.push(decodeEnvChange(r));
        break;
      case TokenType.ERROR:
        tokens.push(decodeServerMessage('error', r, tdsVersion));
        break;
      case TokenType.INFO:
        tokens.push(decodeServerMessage('info', r, tdsVersion));
        break;
      case TokenType.DONE:
        tokens.push(decodeDone('done', r, tdsVersion));
        break;
      case TokenType.DONEPROC:
        tokens.push(decodeDone('doneproc', r, tdsVersion));
        break;
      case TokenType.DONEINPROC:
        tokens.push(decodeDone('doneinproc', r, tdsVersion));
        break;
      case TokenType.COLMETADATA: {
        const meta = decodeColMetadata(r, tdsVersion);
        columns = meta.columns;
        tokens.push(meta);
        break;
      }
      case TokenType.ROW:
        if (!columns) throw new TdsDecodeError('ROW before COLMETADATA');
        tokens.push(decodeRow(r, columns));
        break;
      case TokenType.FEATUREEXTACK:
        tokens.push(decodeFeatureExtAck(r));
        break;
      case TokenType.RETURNSTATUS:
        tokens.push(decodeReturnStatus(r));
        break;
      default:
        throw new TdsDecodeError(`unsupported token 0x${type.toString(16)}`);
    }
  }
  return tokens;
}
