import fc from 'fast-check';
import {
  clientPrelogin,
  decodeLogin7,
  decodePrelogin,
  decodeRpc,
  decodeSqlBatch,
  decodeTokens,
  DoneStatus,
  encodeColMetadata,
  encodeDone,
  encodeEnvChange,
  encodeLogin7,
  encodeLoginAck,
  encodeMessage,
  encodePrelogin,
  encodeRow,
  encodeRpc,
  encodeServerMessage,
  encodeSqlBatch,
  Encryption,
  negotiateEncryption,
  PacketReader,
  PacketType,
  ProcId,
  TdsDecodeError,
  TdsVersion,
  type Column,
} from '../../shared/tds';

/** Decoders may only return or throw TdsDecodeError, whatever the input. */
function total(decode: () => unknown): boolean {
  try {
    decode();
  } catch (e) {
    if (!(e instanceof TdsDecodeError)) throw e;
  }
  return true;
}

const VERSIONS = [TdsVersion.V7_1, TdsVersion.V7_4];
const NAMED_VERSIONS = [
  ['7.1', TdsVersion.V7_1],
  ['7.4', TdsVersion.V7_4],
] as const;

describe('packets', () => {
  test('split and reassembly at any packet size, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.integer({ min: 512, max: 32767 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1 }), (bytes, size, cuts) => {
        const payload = Buffer.from(bytes);
        const wire = encodeMessage(PacketType.SQL_BATCH, payload, { packetSize: size });
        const reader = new PacketReader();
        const got = [];
        for (let at = 0, i = 0; at < wire.length; i++) {
          const n = cuts[i % cuts.length];
          got.push(...reader.push(wire.subarray(at, at + n)));
          at += n;
        }
        expect(got).toHaveLength(1);
        expect(got[0].payload.equals(payload)).toBe(true);
        expect(reader.pendingBytes).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  test('random bytes never throw anything but TdsDecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => total(() => new PacketReader().push(Buffer.from(bytes)))));
  });
});

describe('PRELOGIN', () => {
  test('round trip', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2, 3), fc.string({ maxLength: 20 }).filter((s) => !s.includes('\0')), fc.boolean(), (encryption, instance, fedAuth) => {
        const decoded = decodePrelogin(clientPrelogin({ encryption, instance: instance.replace(/[^\x20-\x7e]/g, ''), fedAuthRequired: fedAuth }));
        expect(decoded.encryption).toBe(encryption);
        expect(decoded.fedAuthRequired).toBe(fedAuth ? 1 : undefined);
      }),
    );
  });

  test('random and truncated payloads', () => {
    const valid = encodePrelogin({ version: { major: 16, minor: 0, build: 1, subbuild: 2 }, encryption: 1, instance: 'x', threadId: 7, mars: 0, traceId: Buffer.alloc(36) });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => total(() => decodePrelogin(Buffer.from(bytes)))));
    fc.assert(fc.property(fc.nat(valid.length), (n) => total(() => decodePrelogin(valid.subarray(0, n)))));
  });

  test('the negotiation table', () => {
    const { OFF, ON, NOT_SUP, REQ } = Encryption;
    const cell = (c: number, s: number) => Object.values(negotiateEncryption(c, s)).join(' ');
    expect([cell(OFF, OFF), cell(OFF, ON), cell(OFF, NOT_SUP)]).toEqual(['0 login-only', '3 full', '2 none']);
    expect([cell(ON, OFF), cell(ON, ON), cell(ON, NOT_SUP)]).toEqual(['1 full', '1 full', '2 client-closes']);
    expect([cell(NOT_SUP, OFF), cell(NOT_SUP, ON), cell(NOT_SUP, NOT_SUP)]).toEqual(['2 none', '3 server-closes', '2 none']);
    expect([cell(REQ, OFF), cell(REQ, ON), cell(REQ, NOT_SUP)]).toEqual(['1 full', '1 full', '2 server-closes']);
    expect(cell(ON | Encryption.CLIENT_CERT, OFF)).toBe('1 full');
  });
});

describe('LOGIN7', () => {
  const text = fc.string({ maxLength: 30 });
  test('round trip, including the password and the FEDAUTH token', () => {
    fc.assert(
      fc.property(text, text, text, text, fc.boolean(), fc.option(fc.string({ minLength: 1, maxLength: 2000 })), (user, password, database, serverName, readOnlyIntent, token) => {
        const features = token === null ? undefined : { fedAuth: { library: 1, echo: true, token }, utf8Support: true };
        const decoded = decodeLogin7(encodeLogin7({ user, password, database, serverName, readOnlyIntent, packetSize: 8000, features }));
        expect({ user: decoded.user, password: decoded.password, database: decoded.database, serverName: decoded.serverName }).toEqual({ user, password, database, serverName });
        expect(decoded.readOnlyIntent).toBe(readOnlyIntent);
        expect(decoded.packetSize).toBe(8000);
        expect(decoded.features.fedAuth?.token).toBe(token ?? undefined);
      }),
    );
  });

  test('the password is obfuscated on the wire', () => {
    const wire = encodeLogin7({ user: 'u', password: 'secret' });
    expect(wire.includes(Buffer.from('secret', 'ucs2'))).toBe(false);
  });

  test('random and truncated payloads', () => {
    const valid = encodeLogin7({ user: 'u', password: 'p', database: 'd', features: { fedAuth: { library: 1, echo: false, token: 't' } } });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => total(() => decodeLogin7(Buffer.from(bytes)))));
    fc.assert(fc.property(fc.nat(valid.length), (n) => total(() => decodeLogin7(valid.subarray(0, n)))));
  });
});

describe('tokens', () => {
  const columns: Column[] = [
    { name: 'i', type: 'int' },
    { name: 'b', type: 'bigint' },
    { name: 's', type: 'nvarchar', nullable: true },
    { name: 'n', type: 'int', nullable: true },
  ];
  const stream = (v: number, i: number, b: bigint, s: string | null) =>
    Buffer.concat([
      encodeLoginAck({ interface: 1, tdsVersion: v, progName: 'x', progVersion: { major: 1, minor: 2, buildHi: 3, buildLo: 4 } }),
      encodeEnvChange({ type: 'database', value: 'db', old: 'master' }),
      encodeEnvChange({ type: 'packetSize', value: 8192, old: 4096 }),
      encodeEnvChange({ type: 'routing', protocol: 0, port: 11001, server: 'node.example' }),
      encodeServerMessage({ kind: 'error', number: 40613, state: 1, class: 17, message: 'm', serverName: 's', procName: '', lineNumber: 70000 % (v === TdsVersion.V7_1 ? 65536 : 2 ** 32) }, v),
      encodeColMetadata(columns, v),
      encodeRow(columns, [i, b, s, null]),
      encodeDone({ kind: 'done', status: DoneStatus.COUNT, rowCount: 1n }, v),
    ]);

  test.each(NAMED_VERSIONS)('round trip at TDS %s', (_name, v) => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.option(fc.string({ maxLength: 50 })), (i, b, s) => {
        const tokens = decodeTokens(stream(v, i, b, s), v);
        expect(tokens.map((t) => t.kind)).toEqual(['loginack', 'envchange', 'envchange', 'envchange', 'error', 'colmetadata', 'row', 'done']);
        expect(tokens[3]).toMatchObject({ type: 'routing', port: 11001, server: 'node.example' });
        expect(tokens[6]).toEqual({ kind: 'row', values: [i, b, s, null] });
      }),
      { numRuns: 50 },
    );
  });

  test('TDS 7.1 uses narrower DONE, COLMETADATA and ERROR fields', () => {
    const done71 = encodeDone({ kind: 'done' }, TdsVersion.V7_1);
    const done74 = encodeDone({ kind: 'done' }, TdsVersion.V7_4);
    expect([done71.length, done74.length]).toEqual([9, 13]);
    expect(encodeColMetadata(columns, TdsVersion.V7_4).length - encodeColMetadata(columns, TdsVersion.V7_1).length).toBe(columns.length * 2);
  });

  test.each(NAMED_VERSIONS)('random and truncated token streams at TDS %s', (_name, v) => {
    const valid = stream(v, 1, 2n, 'x');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => total(() => decodeTokens(Buffer.from(bytes), v))));
    fc.assert(fc.property(fc.nat(valid.length), (n) => total(() => decodeTokens(valid.subarray(0, n), v))));
  });
});

describe('requests', () => {
  test.each(NAMED_VERSIONS)('SQL batch and sp_executesql round trip at TDS %s', (_name, v) => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (sql) => {
        expect(decodeSqlBatch(encodeSqlBatch(sql, v), v)).toBe(sql);
        expect(decodeRpc(encodeRpc({ proc: ProcId.SP_EXECUTESQL, params: [{ name: '@stmt', value: sql }] }, v), v)).toEqual({
          proc: ProcId.SP_EXECUTESQL,
          params: [{ name: '@stmt', value: sql }],
        });
      }),
    );
  });

  test('random request payloads', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...VERSIONS), (bytes, v) =>
        total(() => decodeRpc(Buffer.from(bytes), v)) && total(() => decodeSqlBatch(Buffer.from(bytes), v)),
      ),
    );
  });
});
