import { ByteReader, ByteWriter } from '../bytes';
import { TokenType } from './token-type';

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
