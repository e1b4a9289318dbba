import { ByteReader } from '../bytes';
import { TdsDecodeError } from '../errors';
import { decodeColMetadata, decodeRow, type ColMetadata, type Column, type Row } from './columns';
import { decodeDone, type Done } from './done';
import { decodeEnvChange, type EnvChange } from './envchange';
import { decodeFeatureExtAck, type FeatureExtAck } from './feature-ext-ack';
import { decodeLoginAck, type LoginAck } from './loginack';
import { decodeServerMessage, type ServerMessage } from './message';
import { decodeReturnStatus, type ReturnStatus } from './return-status';
import { TokenType } from './token-type';

export type Token = LoginAck | EnvChange | ServerMessage | Done | ColMetadata | Row | FeatureExtAck | ReturnStatus;

/** Decodes a whole tabular-result payload. ROW tokens use the columns of the latest COLMETADATA. */
export function decodeTokens(payload: Buffer, tdsVersion: number): Token[] {
  const r = new ByteReader(payload);
  const tokens: Token[] = [];
  let columns: Column[] | undefined;
  while (r.remaining > 0) {
    const type = r.u8();
    switch (type) {
      case TokenType.LOGINACK:
        tokens.push(decodeLoginAck(r));
        break;
      case TokenType.ENVCHANGE:
        tokens.push(decodeEnvChange(r));
        break;
      case TokenType.ERROR:
        tokens.push(decodeServerMessage('error', r, tdsVersion));
        break;
      case TokenType.INFO:
        tokens.push(decodeServerMessage('info', r, tdsVersion));
        break;
      case TokenType.DONE:
        tokens.push(decodeDone('done', r, tdsVersion));
        break;
      case TokenType.DONEPROC:
        tokens.push(decodeDone('doneproc', r, tdsVersion));
        break;
      case TokenType.DONEINPROC:
        tokens.push(decodeDone('doneinproc', r, tdsVersion));
        break;
      case TokenType.COLMETADATA: {
        const meta = decodeColMetadata(r, tdsVersion);
        columns = meta.columns;
        tokens.push(meta);
        break;
      }
      case TokenType.ROW:
        if (!columns) throw new TdsDecodeError('ROW before COLMETADATA');
        tokens.push(decodeRow(r, columns));
        break;
      case TokenType.FEATUREEXTACK:
        tokens.push(decodeFeatureExtAck(r));
        break;
      case TokenType.RETURNSTATUS:
        tokens.push(decodeReturnStatus(r));
        break;
      default:
        throw new TdsDecodeError(`unsupported token 0x${type.toString(16)}`);
    }
  }
  return tokens;
}
