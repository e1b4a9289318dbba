import {
  DEFAULT_COLLATION,
  DoneStatus,
  encodeColMetadata,
  encodeDone,
  encodeEnvChange,
  encodeFeatureExtAck,
  encodeLoginAck,
  encodeReturnStatus,
  encodeRow,
  encodeServerMessage,
  FeatureId,
  type ServerMessage,
} from '../shared/tds';
import { info } from './errors';
import type { Statement } from './query';

const CURCMD_SELECT = 0xc1;

export interface LoginSuccess {
  tdsVersion: number;
  server: string;
  database: string;
  packetSize: number;
  fedAuth: boolean;
  /** Redirect: send the client to this node instead of serving it. */
  route?: { host: string; port: number };
}

/** The token stream SQL Server sends for a successful login (or a gateway's redirect). */
export function loginSuccess(s: LoginSuccess): Buffer {
  const v = s.tdsVersion;
  const parts: Buffer[] = [];
  if (!s.route) {
    parts.push(
      encodeEnvChange({ type: 'database', value: s.database, old: 'master' }),
      encodeServerMessage(info(5701, `Changed database context to '${s.database}'.`, s.server), v),
      encodeEnvChange({ type: 'collation', value: DEFAULT_COLLATION, old: Buffer.alloc(0) }),
      encodeEnvChange({ type: 'language', value: 'us_english', old: '' }),
      encodeServerMessage(info(5703, 'Changed language setting to us_english.', s.server), v),
    );
  }
  parts.push(
    encodeLoginAck({
      interface: 1,
      tdsVersion: v,
      progName: 'Microsoft SQL Server',
      progVersion: { major: 12, minor: 0, buildHi: 0x07, buildLo: 0xd0 },
    }),
  );
  // Only acknowledge FEDAUTH: tedious rejects an ack for a feature it did not expect.
  if (s.fedAuth) parts.push(encodeFeatureExtAck([{ id: FeatureId.FEDAUTH, data: Buffer.alloc(0) }]));
  if (s.route) parts.push(encodeEnvChange({ type: 'routing', protocol: 0, port: s.route.port, server: s.route.host }));
  else parts.push(encodeEnvChange({ type: 'packetSize', value: s.packetSize, old: s.packetSize }));
  parts.push(encodeDone({ kind: 'done' }, v));
  return Buffer.concat(parts);
}

/** ERROR then a final DONE (or DONEPROC for an RPC) with the error bit. */
export function failure(error: ServerMessage, tdsVersion: number, rpc = false): Buffer {
  return Buffer.concat([
    encodeServerMessage(error, tdsVersion),
    encodeDone({ kind: rpc ? 'doneproc' : 'done', status: DoneStatus.ERROR }, tdsVersion),
  ]);
}

/** Tokens for one executed statement; `last` decides whether its DONE ends the response. */
export function statementTokens(s: Statement, tdsVersion: number, rpc: boolean, last: boolean): Buffer[] {
  if (s.kind !== 'select') return [];
  const more = rpc || !last ? DoneStatus.MORE : 0;
  return [
    encodeColMetadata(s.columns, tdsVersion),
    encodeRow(s.columns, s.values),
    encodeDone({ kind: rpc ? 'doneinproc' : 'done', status: DoneStatus.COUNT | more, curCmd: CURCMD_SELECT, rowCount: 1n }, tdsVersion),
  ];
}

/** Closes a response: an RPC needs RETURNSTATUS and DONEPROC; a batch needs a final DONE unless its last statement sent one. */
export function responseEnd(tdsVersion: number, rpc: boolean, lastWasSelect: boolean): Buffer[] {
  if (rpc) return [encodeReturnStatus(0), encodeDone({ kind: 'doneproc' }, tdsVersion)];
  return lastWasSelect ? [] : [encodeDone({ kind: 'done' }, tdsVersion)];
}

/** The separate message that acknowledges an ATTENTION. */
export function attentionAck(tdsVersion: number): Buffer {
  return encodeDone({ kind: 'done', status: DoneStatus.ATTN }, tdsVersion);
}
