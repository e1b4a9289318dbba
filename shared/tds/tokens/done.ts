import { ByteReader, ByteWriter } from '../bytes';
import { isTds72OrLater } from '../version';
import { TokenType } from './token-type';

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
