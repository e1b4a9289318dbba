import { ByteReader, ByteWriter, TdsDecodeError } from './bytes';
import { DEFAULT_COLLATION } from './columns';
import { isTds72OrLater } from './packet';

/** Well-known stored procedure ids usable in an RPC request instead of a name. */
export const ProcId = { SP_EXECUTESQL: 10 } as const;

const NVARCHAR = 0xe7;
const PLP_NULL = 0xffffffffffffffffn;

/** ALL_HEADERS with one transaction descriptor header (auto-commit), as drivers send from TDS 7.2. */
function allHeaders(): Buffer {
  return new ByteWriter().u32le(22).u32le(18).u16le(2).u64le(0n).u32le(1).toBuffer();
}

function skipAllHeaders(r: ByteReader, tdsVersion: number): void {
  if (!isTds72OrLater(tdsVersion)) return;
  const total = r.u32le();
  if (total < 4) throw new TdsDecodeError(`ALL_HEADERS length ${total}`);
  r.bytes(total - 4);
}

export function encodeSqlBatch(sql: string, tdsVersion: number): Buffer {
  const text = Buffer.from(sql, 'ucs2');
  return isTds72OrLater(tdsVersion) ? Buffer.concat([allHeaders(), text]) : text;
}

export function decodeSqlBatch(payload: Buffer, tdsVersion: number): string {
  const r = new ByteReader(payload);
  skipAllHeaders(r, tdsVersion);
  if (r.remaining % 2 !== 0) throw new TdsDecodeError('SQL batch text has an odd byte count');
  return r.bytes(r.remaining).toString('ucs2');
}

export interface RpcRequest {
  /** Procedure name, or the well-known id when sent as ProcIDSwitch. */
  proc: string | number;
  /** Leading NVARCHAR parameters, decoded until the first parameter of another type. */
  params: Array<{ name: string; value: string | null }>;
}

export function encodeRpc(req: RpcRequest, tdsVersion: number): Buffer {
  const w = new ByteWriter();
  if (isTds72OrLater(tdsVersion)) w.raw(allHeaders());
  if (typeof req.proc === 'number') w.u16le(0xffff).u16le(req.proc);
  else w.usVarchar(req.proc);
  w.u16le(0);
  for (const p of req.params) {
    const value = p.value === null ? null : Buffer.from(p.value, 'ucs2');
    w.bVarchar(p.name).u8(0).u8(NVARCHAR).u16le(8000).raw(DEFAULT_COLLATION);
    if (value === null) w.u16le(0xffff);
    else if (value.length <= 8000) w.u16le(value.length).raw(value);
    else throw new RangeError('parameter longer than nvarchar(4000)');
  }
  return w.toBuffer();
}

/** Reads a PLP value: total length, then length-prefixed chunks up to a zero terminator. */
function readPlp(r: ByteReader): Buffer | null {
  if (r.u64le() === PLP_NULL) return null;
  const chunks: Buffer[] = [];
  for (let n = r.u32le(); n !== 0; n = r.u32le()) chunks.push(r.bytes(n));
  return Buffer.concat(chunks);
}

export function decodeRpc(payload: Buffer, tdsVersion: number): RpcRequest {
  const r = new ByteReader(payload);
  skipAllHeaders(r, tdsVersion);
  const nameLength = r.u16le();
  const proc = nameLength === 0xffff ? r.u16le() : r.ucs2(nameLength);
  r.u16le(); // option flags
  const params: RpcRequest['params'] = [];
  while (r.remaining > 0) {
    const name = r.bVarchar();
    r.u8(); // status flags
    if (r.u8() !== NVARCHAR) break;
    const maxLength = r.u16le();
    r.bytes(5);
    let value: Buffer | null;
    if (maxLength === 0xffff) value = readPlp(r);
    else {
      const length = r.u16le();
      value = length === 0xffff ? null : r.bytes(length);
    }
    params.push({ name, value: value === null ? null : value.toString('ucs2') });
  }
  return { proc, params };
}
