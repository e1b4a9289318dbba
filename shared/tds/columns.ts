import { ByteReader, ByteWriter, TdsDecodeError } from './bytes';
import { isTds72OrLater, TokenType } from './packet';

/** SQL_Latin1_General_CP1_CI_AS: LCID 0x0409, case/accent/width-insensitive flags, sort id 52. */
export const DEFAULT_COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);

export type ColumnType = 'int' | 'bigint' | 'nvarchar';
export type ColumnValue = number | bigint | string | null;

export interface Column {
  name: string;
  type: ColumnType;
  nullable?: boolean;
  /** nvarchar: maximum length in bytes (default 8000, i.e. nvarchar(4000)). */
  maxLength?: number;
}

/** TDS data type bytes for the types this codec reads and writes. */
const DataType = { INT1: 0x30, INT2: 0x34, INT4: 0x38, INT8: 0x7f, INTN: 0x26, NVARCHAR: 0xe7 } as const;
const NULLABLE = 0x0001;

export interface ColMetadata {
  kind: 'colmetadata';
  columns: Column[];
}

export interface Row {
  kind: 'row';
  values: ColumnValue[];
}

export function encodeColMetadata(columns: Column[], tdsVersion: number): Buffer {
  const w = new ByteWriter().u8(TokenType.COLMETADATA).u16le(columns.length);
  for (const c of columns) {
    if (isTds72OrLater(tdsVersion)) w.u32le(0);
    else w.u16le(0);
    w.u16le(c.nullable ? NULLABLE : 0);
    if (c.type === 'nvarchar') {
      w.u8(DataType.NVARCHAR).u16le(c.maxLength ?? 8000).raw(DEFAULT_COLLATION);
    } else {
      const size = c.type === 'int' ? 4 : 8;
      if (c.nullable) w.u8(DataType.INTN).u8(size);
      else w.u8(c.type === 'int' ? DataType.INT4 : DataType.INT8);
    }
    w.bVarchar(c.name);
  }
  return w.toBuffer();
}

export function encodeRow(columns: Column[], values: ColumnValue[]): Buffer {
  const w = new ByteWriter().u8(TokenType.ROW);
  columns.forEach((c, i) => {
    const v = values[i];
    if (c.type === 'nvarchar') {
      if (v === null) w.u16le(0xffff);
      else {
        const bytes = Buffer.from(String(v), 'ucs2');
        w.u16le(bytes.length).raw(bytes);
      }
      return;
    }
    if (c.nullable) w.u8(v === null ? 0 : c.type === 'int' ? 4 : 8);
    if (v === null) {
      if (!c.nullable) throw new TypeError(`column ${c.name} is not nullable`);
    } else if (c.type === 'int') w.i32le(Number(v));
    else w.i64le(BigInt(v));
  });
  return w.toBuffer();
}

export function decodeColMetadata(r: ByteReader, tdsVersion: number): ColMetadata {
  const count = r.u16le();
  const columns: Column[] = [];
  if (count === 0xffff) return { kind: 'colmetadata', columns };
  for (let i = 0; i < count; i++) {
    if (isTds72OrLater(tdsVersion)) r.u32le();
    else r.u16le();
    const nullable = (r.u16le() & NULLABLE) !== 0;
    const dataType = r.u8();
    let column: Omit<Column, 'name'>;
    switch (dataType) {
      case DataType.INT1:
        column = { type: 'int', nullable: false, maxLength: 1 };
        break;
      case DataType.INT2:
        column = { type: 'int', nullable: false, maxLength: 2 };
        break;
      case DataType.INT4:
        column = { type: 'int', nullable: false, maxLength: 4 };
        break;
      case DataType.INT8:
        column = { type: 'bigint', nullable: false, maxLength: 8 };
        break;
      case DataType.INTN: {
        const size = r.u8();
        if (![1, 2, 4, 8].includes(size)) throw new TdsDecodeError(`INTN size ${size}`);
        column = { type: size === 8 ? 'bigint' : 'int', nullable: true, maxLength: size };
        break;
      }
      case DataType.NVARCHAR:
        column = { type: 'nvarchar', nullable, maxLength: r.u16le() };
        r.bytes(5);
        break;
      default:
        throw new TdsDecodeError(`unsupported data type 0x${dataType.toString(16)}`);
    }
    columns.push({ ...column, name: r.bVarchar() });
  }
  return { kind: 'colmetadata', columns };
}

export function decodeRow(r: ByteReader, columns: Column[]): Row {
  const values = columns.map((c): ColumnValue => {
    if (c.type === 'nvarchar') {
      const length = r.u16le();
      return length === 0xffff ? null : r.bytes(length).toString('ucs2');
    }
    // Fixed-width integers carry their width in the metadata; INTN repeats it in every row.
    const size = c.nullable ? r.u8() : (c.maxLength ?? (c.type === 'int' ? 4 : 8));
    switch (size) {
      case 0:
        return null;
      case 1:
        return r.u8();
      case 2:
        return r.bytes(2).readInt16LE();
      case 4:
        return r.i32le();
      case 8:
        return r.i64le();
      default:
        throw new TdsDecodeError(`integer width ${size}`);
    }
  });
  return { kind: 'row', values };
}
