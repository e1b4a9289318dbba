/** Thrown by every decoder on malformed or truncated input, so callers can catch one type. */
export class TdsDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TdsDecodeError';
  }
}

/** Bounds-checked little/big-endian reader: every overrun becomes a TdsDecodeError, never a RangeError. */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new TdsDecodeError(`truncated: need ${n} bytes at ${this.pos} of ${this.buf.length}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.buf.readUInt8(this.need(1));
  }
  u16le(): number {
    return this.buf.readUInt16LE(this.need(2));
  }
  u16be(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  u32le(): number {
    return this.buf.readUInt32LE(this.need(4));
  }
  i32le(): number {
    return this.buf.readInt32LE(this.need(4));
  }
  u32be(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  i64le(): bigint {
    return this.buf.readBigInt64LE(this.need(8));
  }
  u64le(): bigint {
    return this.buf.readBigUInt64LE(this.need(8));
  }
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
  /** UCS-2 string of `chars` characters. */
  ucs2(chars: number): string {
    return this.bytes(chars * 2).toString('ucs2');
  }
  /** B_VARCHAR: 1-byte character count, then UCS-2. */
  bVarchar(): string {
    return this.ucs2(this.u8());
  }
  /** US_VARCHAR: 2-byte character count, then UCS-2. */
  usVarchar(): string {
    return this.ucs2(this.u16le());
  }
  /** B_VARBYTE: 1-byte length, then bytes. */
  bVarbyte(): Buffer {
    return this.bytes(this.u8());
  }
}

/** Append-only buffer builder; tokens are small, so chunks are concatenated once at the end. */
export class ByteWriter {
  private chunks: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  raw(b: Buffer): this {
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }
  private fixed(n: number, write: (b: Buffer) => void): this {
    const b = Buffer.allocUnsafe(n);
    write(b);
    return this.raw(b);
  }
  u8(v: number): this {
    return this.fixed(1, (b) => b.writeUInt8(v));
  }
  u16le(v: number): this {
    return this.fixed(2, (b) => b.writeUInt16LE(v));
  }
  u16be(v: number): this {
    return this.fixed(2, (b) => b.writeUInt16BE(v));
  }
  u32le(v: number): this {
    return this.fixed(4, (b) => b.writeUInt32LE(v));
  }
  i32le(v: number): this {
    return this.fixed(4, (b) => b.writeInt32LE(v));
  }
  u32be(v: number): this {
    return this.fixed(4, (b) => b.writeUInt32BE(v));
  }
  i64le(v: bigint): this {
    return this.fixed(8, (b) => b.writeBigInt64LE(v));
  }
  u64le(v: bigint): this {
    return this.fixed(8, (b) => b.writeBigUInt64LE(v));
  }
  bVarchar(s: string): this {
    return this.u8(s.length).raw(Buffer.from(s, 'ucs2'));
  }
  usVarchar(s: string): this {
    return this.u16le(s.length).raw(Buffer.from(s, 'ucs2'));
  }
  bVarbyte(b: Buffer): this {
    return this.u8(b.length).raw(b);
  }
  toBuffer(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
  }
}
