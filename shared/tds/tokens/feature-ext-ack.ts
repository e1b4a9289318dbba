import { ByteReader, ByteWriter } from '../bytes';
import { FeatureId } from '../feature-ext';
import { TokenType } from './token-type';

export interface FeatureExtAck {
  kind: 'featureextack';
  features: Array<{ id: number; data: Buffer }>;
}

/** tedious requires a FEDAUTH ack with empty data after an access-token login. */
export function encodeFeatureExtAck(features: FeatureExtAck['features']): Buffer {
  const w = new ByteWriter().u8(TokenType.FEATUREEXTACK);
  for (const f of features) w.u8(f.id).u32le(f.data.length).raw(f.data);
  return w.u8(FeatureId.TERMINATOR).toBuffer();
}

export function decodeFeatureExtAck(r: ByteReader): FeatureExtAck {
  const features: FeatureExtAck['features'] = [];
  for (;;) {
    const id = r.u8();
    if (id === FeatureId.TERMINATOR) return { kind: 'featureextack', features };
    features.push({ id, data: Buffer.from(r.bytes(r.u32le())) });
  }
}
