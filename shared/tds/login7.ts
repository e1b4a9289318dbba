import { ByteReader, ByteWriter, TdsDecodeError } from './bytes';
import { TdsVersion } from './packet';

/** LOGIN7 FeatureExt ids (MS-TDS 2.2.6.4). */
export const FeatureId = { SESSIONRECOVERY: 0x01, FEDAUTH: 0x02, UTF8_SUPPORT: 0x0a, TERMINATOR: 0xff } as const;

/** FEDAUTH library values: SECURITYTOKEN carries an access token; ADAL/MSAL ask the server for STS info. */
export const FedAuthLibrary = { SECURITYTOKEN: 0x01, ADAL: 0x02 } as const;

export interface FedAuthFeature {
  library: number;
  /** Echo of the server's PRELOGIN FEDAUTHREQUIRED. */
  echo: boolean;
  /** The access token, for the SECURITYTOKEN library (UTF-16LE on the wire). */
  token?: string;
}

export interface FeatureExt {
  fedAuth?: FedAuthFeature;
  utf8Support?: boolean;
  /** Ids of every feature present, including ones not decoded further. */
  ids?: number[];
}

export function decodeFeatureExt(r: ByteReader): FeatureExt {
  const out: FeatureExt = { ids: [] };
  for (;;) {
    const id = r.u8();
    if (id === FeatureId.TERMINATOR) return out;
    const data = new ByteReader(r.bytes(r.u32le()));
    out.ids?.push(id);
    if (id === FeatureId.FEDAUTH) {
      const options = data.u8();
      const fedAuth: FedAuthFeature = { library: options >> 1, echo: (options & 1) === 1 };
      if (fedAuth.library === FedAuthLibrary.SECURITYTOKEN) fedAuth.token = data.bytes(data.u32le()).toString('ucs2');
      out.fedAuth = fedAuth;
    } else if (id === FeatureId.UTF8_SUPPORT) {
      out.utf8Support = data.remaining > 0 && (data.u8() & 1) === 1;
    }
  }
}

export function encodeFeatureExt(f: FeatureExt): Buffer {
  const w = new ByteWriter();
  if (f.fedAuth) {
    const d = new ByteWriter().u8((f.fedAuth.library << 1) | (f.fedAuth.echo ? 1 : 0));
    if (f.fedAuth.token !== undefined) {
      const token = Buffer.from(f.fedAuth.token, 'ucs2');
      d.u32le(token.length).raw(token);
    }
    w.u8(FeatureId.FEDAUTH).u32le(d.length).raw(d.toBuffer());
  }
  if (f.utf8Support !== undefined) w.u8(FeatureId.UTF8_SUPPORT).u32le(1).u8(f.utf8Support ? 1 : 0);
  return w.u8(FeatureId.TERMINATOR).toBuffer();
}

/** Fields of a LOGIN7 message that a server acts on. */
export interface Login7 {
  tdsVersion: number;
  packetSize: number;
  clientPid: number;
  hostName: string;
  user: string;
  password: string;
  appName: string;
  serverName: string;
  libraryName: string;
  language: string;
  database: string;
  readOnlyIntent: boolean;
  features: FeatureExt;
  /** Integrated (Windows) authentication: the SSPI data, an NTLM NEGOTIATE, that replaces user and password. */
  sspi?: Buffer;
}

const TYPE_FLAG_READ_ONLY_INTENT = 0x20;
const OPTION2_INTEGRATED_SECURITY = 0x80;
/** ibSSPI and cbSSPI; cbSSPILong (at 90) holds the length when cbSSPI is 0xFFFF. */
const SSPI_FIELD = 78;
const SSPI_LONG = 90;
const OPTION3_EXTENSION = 0x10;
/** Offsets of the (offset, length) pairs in the fixed part; lengths count UCS-2 characters. */
const FIELD = { host: 36, user: 40, password: 44, app: 48, server: 52, extension: 56, library: 60, language: 64, database: 68 } as const;
const FIXED_LENGTH = 94;

/** The password obfuscation: swap nibbles, then XOR 0xA5. Decoding undoes it in reverse order. */
export function obfuscatePassword(plain: Buffer): Buffer {
  return Buffer.from(plain.map((b) => (((b << 4) & 0xf0) | (b >> 4)) ^ 0xa5));
}

export function deobfuscatePassword(wire: Buffer): Buffer {
  return Buffer.from(
    wire.map((b) => {
      const x = b ^ 0xa5;
      return ((x << 4) & 0xf0) | (x >> 4);
    }),
  );
}

export function decodeLogin7(buf: Buffer): Login7 {
  const r = new ByteReader(buf);
  const length = r.u32le();
  if (length > buf.length) throw new TdsDecodeError(`LOGIN7 length ${length} exceeds payload ${buf.length}`);
  const tdsVersion = r.u32le();
  const packetSize = r.u32le();
  r.u32le(); // client program version
  const clientPid = r.u32le();
  r.pos = 25;
  const optionFlags2 = r.u8();
  const typeFlags = r.u8();
  const optionFlags3 = r.u8();
  if (buf.length < 86) throw new TdsDecodeError('LOGIN7 fixed part truncated');

  const span = (at: number): [number, number] => {
    const f = new ByteReader(buf, at);
    return [f.u16le(), f.u16le()];
  };
  const text = (at: number): string => {
    const [offset, chars] = span(at);
    return new ByteReader(buf, offset).ucs2(chars);
  };
  const [pwOffset, pwChars] = span(FIELD.password);
  const password = deobfuscatePassword(new ByteReader(buf, pwOffset).bytes(pwChars * 2)).toString('ucs2');

  let features: FeatureExt = {};
  if (optionFlags3 & OPTION3_EXTENSION) {
    const [extOffset, extLength] = span(FIELD.extension);
    if (extLength >= 4) {
      const featureOffset = new ByteReader(buf, extOffset).u32le();
      features = decodeFeatureExt(new ByteReader(buf, featureOffset));
    }
  }
  let sspi: Buffer | undefined;
  if (optionFlags2 & OPTION2_INTEGRATED_SECURITY) {
    const [sspiOffset, short] = span(SSPI_FIELD);
    const length = short === 0xffff ? new ByteReader(buf, SSPI_LONG).u32le() : short;
    sspi = Buffer.from(new ByteReader(buf, sspiOffset).bytes(length));
  }
  return {
    ...(sspi ? { sspi } : {}),
    tdsVersion,
    packetSize,
    clientPid,
    hostName: text(FIELD.host),
    user: text(FIELD.user),
    password,
    appName: text(FIELD.app),
    serverName: text(FIELD.server),
    libraryName: text(FIELD.library),
    language: text(FIELD.language),
    database: text(FIELD.database),
    readOnlyIntent: (typeFlags & TYPE_FLAG_READ_ONLY_INTENT) !== 0,
    features,
  };
}

export type Login7Input = Partial<Omit<Login7, 'features'>> & { features?: FeatureExt };

/** Builds a TDS 7.2+ LOGIN7 payload (7.4 layout with FeatureExt when features are given). */
export function encodeLogin7(input: Login7Input): Buffer {
  const strings: Array<[number, Buffer]> = [
    [FIELD.host, Buffer.from(input.hostName ?? '', 'ucs2')],
    [FIELD.user, Buffer.from(input.user ?? '', 'ucs2')],
    [FIELD.password, obfuscatePassword(Buffer.from(input.password ?? '', 'ucs2'))],
    [FIELD.app, Buffer.from(input.appName ?? '', 'ucs2')],
    [FIELD.server, Buffer.from(input.serverName ?? '', 'ucs2')],
    [FIELD.library, Buffer.from(input.libraryName ?? 'sqlprobe', 'ucs2')],
    [FIELD.language, Buffer.from(input.language ?? '', 'ucs2')],
    [FIELD.database, Buffer.from(input.database ?? '', 'ucs2')],
  ];
  const hasFeatures = input.features !== undefined;
  const fixed = Buffer.alloc(FIXED_LENGTH);
  fixed.writeUInt32LE(input.tdsVersion ?? TdsVersion.V7_4, 4);
  fixed.writeUInt32LE(input.packetSize ?? 4096, 8);
  fixed.writeUInt32LE(input.clientPid ?? process.pid, 16);
  fixed.writeUInt8(0xe0, 24); // little-endian, ASCII, IEEE floats, USE DB warn, SET LANG warn
  fixed.writeUInt8(0x03 | (input.sspi ? OPTION2_INTEGRATED_SECURITY : 0), 25); // INIT LANG fatal, ODBC on
  fixed.writeUInt8(input.readOnlyIntent ? TYPE_FLAG_READ_ONLY_INTENT : 0, 26);
  fixed.writeUInt8(hasFeatures ? OPTION3_EXTENSION : 0, 27);

  const data = new ByteWriter();
  const put = (field: number, bytes: Buffer): void => {
    fixed.writeUInt16LE(FIXED_LENGTH + data.length, field);
    fixed.writeUInt16LE(field === FIELD.extension ? bytes.length : bytes.length / 2, field + 2);
    data.raw(bytes);
  };
  const pointer = Buffer.alloc(4);
  for (const [field, bytes] of strings) put(field, bytes);
  if (hasFeatures) put(FIELD.extension, pointer);
  if (input.sspi) {
    fixed.writeUInt16LE(FIXED_LENGTH + data.length, SSPI_FIELD);
    fixed.writeUInt16LE(input.sspi.length, SSPI_FIELD + 2);
    data.raw(input.sspi);
  }
  const featureBytes = hasFeatures ? encodeFeatureExt(input.features ?? {}) : Buffer.alloc(0);
  pointer.writeUInt32LE(FIXED_LENGTH + data.length);
  data.raw(featureBytes);
  const out = Buffer.concat([fixed, data.toBuffer()]);
  out.writeUInt32LE(out.length, 0);
  return out;
}
