import { ByteReader, ByteWriter } from '../bytes';
import { isTds72OrLater } from '../version';
import { TokenType } from './token-type';

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
