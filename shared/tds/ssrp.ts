/**
 * The SQL Server Resolution Protocol (MC-SQLR) that the SQL Server Browser speaks on UDP 1434: a
 * client asks for one instance (CLNT_UCAST_INST, what SqlClient and FreeTDS send) or for every
 * instance of a host (CLNT_UCAST_EX; tedious sends CLNT_BCAST_EX to one host), and the Browser
 * answers SVR_RESP with "key;value;" pairs, one record per instance, records ending in ";;".
 * https://learn.microsoft.com/openspecs/windows_protocols/mc-sqlr/
 */

export const SsrpType = { CLNT_BCAST_EX: 0x02, CLNT_UCAST_EX: 0x03, CLNT_UCAST_INST: 0x04, SVR_RESP: 0x05, CLNT_UCAST_DAC: 0x0f } as const;

/** Instance names are at most 32 bytes on the wire, the terminating NUL included. */
const MAX_INSTANCE_BYTES = 32;
/** A SVR_RESP to CLNT_UCAST_INST carries at most 1024 bytes of data; the EX answers up to 65535. */
export const MAX_INST_RESPONSE = 1024;

export type SsrpRequest =
  | { type: 'list' }
  | { type: 'instance'; instance: string }
  | { type: 'dac'; instance: string };

export interface SsrpInstance {
  serverName?: string;
  name: string;
  clustered?: boolean;
  version?: string;
  /** The TCP port; absent when TCP/IP is off for the instance. */
  tcp?: number;
  /** The named pipe, when the instance listens on one. */
  np?: string;
}

function instanceBytes(name: string): Buffer {
  const bytes = Buffer.from(`${name}\0`, 'latin1');
  if (bytes.length > MAX_INSTANCE_BYTES) throw new RangeError(`instance name "${name}" is longer than ${MAX_INSTANCE_BYTES - 1} bytes`);
  return bytes;
}

export function encodeSsrpRequest(request: SsrpRequest): Buffer {
  if (request.type === 'list') return Buffer.from([SsrpType.CLNT_UCAST_EX]);
  if (request.type === 'dac') return Buffer.concat([Buffer.from([SsrpType.CLNT_UCAST_DAC, 0x01]), instanceBytes(request.instance)]);
  return Buffer.concat([Buffer.from([SsrpType.CLNT_UCAST_INST]), instanceBytes(request.instance)]);
}

/** A client's datagram, or undefined for anything the Browser ignores. */
export function decodeSsrpRequest(datagram: Buffer): SsrpRequest | undefined {
  const type = datagram[0];
  if (type === SsrpType.CLNT_BCAST_EX || type === SsrpType.CLNT_UCAST_EX) return { type: 'list' };
  const nameAt = type === SsrpType.CLNT_UCAST_INST ? 1 : type === SsrpType.CLNT_UCAST_DAC && datagram[1] === 0x01 ? 2 : -1;
  if (nameAt < 0) return undefined;
  const end = datagram.indexOf(0, nameAt);
  const raw = datagram.subarray(nameAt, end < 0 ? Math.min(datagram.length, nameAt + MAX_INSTANCE_BYTES) : end);
  if (raw.length === 0 || raw.length >= MAX_INSTANCE_BYTES) return undefined;
  const instance = raw.toString('latin1');
  return type === SsrpType.CLNT_UCAST_INST ? { type: 'instance', instance } : { type: 'dac', instance };
}

function record(i: SsrpInstance): string {
  const pairs: [string, string | undefined][] = [
    ['ServerName', i.serverName], ['InstanceName', i.name], ['IsClustered', i.clustered ? 'Yes' : 'No'], ['Version', i.version],
    ['tcp', i.tcp === undefined ? undefined : String(i.tcp)], ['np', i.np],
  ];
  return `${pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k};${v}`).join(';')};;`;
}

/** SVR_RESP listing `instances`. */
export function encodeSsrpResponse(instances: readonly SsrpInstance[]): Buffer {
  const data = Buffer.from(instances.map(record).join(''), 'latin1');
  const header = Buffer.alloc(3);
  header.writeUInt8(SsrpType.SVR_RESP, 0);
  header.writeUInt16LE(data.length, 1);
  return Buffer.concat([header, data]);
}

/** SVR_RESP to CLNT_UCAST_DAC: protocol version 1 and the dedicated admin connection's port. */
export function encodeSsrpDacResponse(port: number): Buffer {
  const out = Buffer.alloc(6);
  out.writeUInt8(SsrpType.SVR_RESP, 0);
  out.writeUInt16LE(6, 1);
  out.writeUInt8(0x01, 3);
  out.writeUInt16LE(port, 4);
  return out;
}

/** The instances a SVR_RESP lists; undefined when the datagram is not a well-formed SVR_RESP. */
export function decodeSsrpResponse(datagram: Buffer): SsrpInstance[] | undefined {
  if (datagram.length < 3 || datagram[0] !== SsrpType.SVR_RESP) return undefined;
  const size = datagram.readUInt16LE(1);
  if (size !== datagram.length - 3) return undefined;
  const text = datagram.toString('latin1', 3);
  const instances: SsrpInstance[] = [];
  for (const rec of text.split(';;')) {
    const parts = rec.split(';');
    const fields = new Map<string, string>();
    for (let k = 0; k + 1 < parts.length; k += 2) fields.set(parts[k].toLowerCase(), parts[k + 1]);
    const name = fields.get('instancename');
    if (!name) continue;
    const tcp = Number(fields.get('tcp'));
    instances.push({
      name,
      serverName: fields.get('servername'),
      clustered: fields.has('isclustered') ? fields.get('isclustered')?.toLowerCase() === 'yes' : undefined,
      version: fields.get('version'),
      tcp: Number.isInteger(tcp) && tcp > 0 && tcp <= 65535 ? tcp : undefined,
      np: fields.get('np'),
    });
  }
  return instances;
}
