import { ByteReader, ByteWriter } from './bytes';

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
