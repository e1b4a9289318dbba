import { ByteReader, ByteWriter } from '../bytes';
import { TokenType } from './token-type';

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
