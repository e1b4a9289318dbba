import { ByteReader, ByteWriter } from '../bytes';
import { TokenType } from './token-type';

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
