// PRELOGIN (MS-TDS 2.2.6.5): the option table both sides write and read, and the server's side of
// the encryption negotiation, which decides whether a login travels in TLS.
import { clientPrelogin, decodePrelogin, Encryption, encodePrelogin, negotiateEncryption, type Prelogin } from '../../shared/tds/prelogin';

const { OFF, ON, NOT_SUP, REQ, CLIENT_CERT } = Encryption;

describe('the option table on the wire', () => {
  it('is a token, a big-endian offset and length per option, a terminator, then the values in order', () => {
    expect([...encodePrelogin({ encryption: ON })]).toEqual([0x01, 0x00, 0x06, 0x00, 0x01, 0xff, ON]);
    expect([...encodePrelogin({ version: { major: 16, minor: 0, build: 0x1234, subbuild: 2 }, encryption: OFF })]).toEqual([
      0x00, 0x00, 0x0b, 0x00, 0x06, // VERSION at 11, 6 bytes
      0x01, 0x00, 0x11, 0x00, 0x01, // ENCRYPTION at 17, 1 byte
      0xff,
      16, 0, 0x12, 0x34, 0x00, 0x02,
      OFF,
    ]);
    expect([...encodePrelogin({})]).toEqual([0xff]);
  });

  it('carries every option both ways', () => {
    const all: Prelogin = {
      version: { major: 16, minor: 0, build: 4135, subbuild: 4 },
      encryption: REQ,
      instance: 'MSSQLSERVER',
      threadId: 0xdeadbeef,
      mars: 1,
      traceId: Buffer.alloc(36, 7),
      fedAuthRequired: 1,
      nonce: Buffer.alloc(32, 9),
    };
    expect(decodePrelogin(encodePrelogin(all))).toEqual(all);
  });
});

describe('decodePrelogin', () => {
  /** A payload with one option of the given token and value. */
  const one = (token: number, value: number[]) => Buffer.from([token, 0x00, 0x06, 0x00, value.length, 0xff, ...value]);

  it('reads a 4-byte VERSION (no sub-build) as sub-build 0', () => {
    expect(decodePrelogin(one(0x00, [15, 0, 0x10, 0x00])).version).toEqual({ major: 15, minor: 0, build: 0x1000, subbuild: 0 });
  });

  it('ignores a THREADID shorter than 4 bytes', () => {
    expect(decodePrelogin(one(0x03, [1, 2])).threadId).toBeUndefined();
  });

  it('ends the instance name at its NUL, whatever follows', () => {
    expect(decodePrelogin(one(0x02, [...Buffer.from('SQL\0x\ny', 'latin1')])).instance).toBe('SQL');
  });

  it('skips options it does not know', () => {
    const payload = Buffer.from([0x09, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, 0x0d, 0x00, 0x01, 0xff, 0xaa, 0xbb, ON]);
    expect(decodePrelogin(payload)).toEqual({ encryption: ON });
  });

  it('refuses an option that points past the payload, naming it', () => {
    const overrun = Buffer.from([0x01, 0x00, 0x06, 0x00, 0x02, 0xff, ON]);
    expect(() => decodePrelogin(overrun)).toThrow(expect.objectContaining({ name: 'TdsDecodeError', message: 'PRELOGIN option 1 overruns the payload' }));
  });
});

describe('clientPrelogin', () => {
  it('sends what drivers send: a zero version, the instance (empty by default), thread 0, MARS off', () => {
    expect(decodePrelogin(clientPrelogin({ encryption: ON }))).toEqual({ version: { major: 0, minor: 0, build: 0, subbuild: 0 }, encryption: ON, instance: '', threadId: 0, mars: 0 });
  });

  it('asks for federated authentication only when told to', () => {
    expect(decodePrelogin(clientPrelogin({ encryption: OFF, instance: 'SQLEXPRESS', fedAuthRequired: true }))).toMatchObject({ instance: 'SQLEXPRESS', fedAuthRequired: 1 });
    expect(decodePrelogin(clientPrelogin({ encryption: OFF, fedAuthRequired: false }))).not.toHaveProperty('fedAuthRequired');
  });
});

describe('negotiateEncryption', () => {
  it('treats a client that sent no ENCRYPTION option, or a value it does not know, as OFF', () => {
    for (const client of [undefined, 0x05, 0x7f]) expect(negotiateEncryption(client, ON)).toEqual(negotiateEncryption(OFF, ON));
    expect(negotiateEncryption(undefined, ON)).toEqual({ response: REQ, outcome: 'full' });
  });

  it('ignores the CLIENT_CERT bit on any value', () => {
    for (const client of [OFF, ON, NOT_SUP, REQ]) {
      for (const server of [OFF, ON, NOT_SUP]) expect(negotiateEncryption(client | CLIENT_CERT, server)).toEqual(negotiateEncryption(client, server));
    }
  });

  it('refuses a server setting other than OFF, ON or NOT_SUP', () => {
    expect(() => negotiateEncryption(ON, REQ)).toThrow(new RangeError('server encryption setting 3 is not OFF, ON or NOT_SUP'));
  });
});
