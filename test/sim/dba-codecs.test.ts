import fc from 'fast-check';
import {
  decodeAuthenticate,
  decodeChallenge,
  decodeLogin7,
  decodeSsrpRequest,
  decodeSsrpResponse,
  encodeChallenge,
  encodeLogin7,
  encodeSsrpRequest,
  encodeSsrpResponse,
  encodeTargetInfo,
  NtlmFlag,
  TdsDecodeError,
} from '../../shared/tds';
import { md4 } from '../../sim/md4';
import { issueChallenge, verifyAuthenticate } from '../../sim/ntlm';

/** An AUTHENTICATE message (MS-NLMP 2.2.1.3) with Unicode strings, as a client would build it. */
function authenticate(f: { lm: Buffer; nt: Buffer; domain: string; user: string; workstation?: string }): Buffer {
  const payload = [f.lm, f.nt, Buffer.from(f.domain, 'ucs2'), Buffer.from(f.user, 'ucs2'), Buffer.from(f.workstation ?? 'WS', 'ucs2'), Buffer.alloc(0)];
  const head = Buffer.alloc(64);
  head.write('NTLMSSP\0', 0, 'latin1');
  head.writeUInt32LE(3, 8);
  let offset = 64;
  payload.forEach((b, i) => {
    head.writeUInt16LE(b.length, 12 + i * 8);
    head.writeUInt16LE(b.length, 14 + i * 8);
    head.writeUInt32LE(offset, 16 + i * 8);
    offset += b.length;
  });
  head.writeUInt32LE(NtlmFlag.UNICODE | NtlmFlag.NTLM, 60);
  return Buffer.concat([head, ...payload]);
}

/** MS-NLMP 4.2.4: the NTLMv2 example's inputs and its published LMv2 response and NTProofStr. */
const NLMP = {
  serverChallenge: Buffer.from('0123456789abcdef', 'hex'),
  clientChallenge: Buffer.alloc(8, 0xaa),
  lmv2: Buffer.from('86c35097ac9cec102554764a57cccc19', 'hex'),
  ntProofStr: Buffer.from('68cd0ab851e51c96aabc927bebef6a1c', 'hex'),
  targetInfo: encodeTargetInfo({ nbDomain: 'Domain', nbComputer: 'Server' }),
};
const DOMAIN = { domain: 'Domain', dnsDomain: 'domain.test', computer: 'Server', trustedDomains: ['TRUSTED'] };
const ACCOUNTS = [{ domain: 'Domain', user: 'User', password: 'Password' }];

describe('MD4 (RFC 1320 test suite)', () => {
  it.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ])('md4(%j)', (input, digest) => expect(md4(Buffer.from(input)).toString('hex')).toBe(digest));
});

describe('NTLMv2, verified by the simulator as MS-NLMP 3.3.2 says', () => {
  const blob = Buffer.concat([Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]), Buffer.alloc(8), NLMP.clientChallenge, Buffer.alloc(4), NLMP.targetInfo, Buffer.alloc(4)]);
  const lm = Buffer.concat([NLMP.lmv2, NLMP.clientChallenge]);
  const nt = Buffer.concat([NLMP.ntProofStr, blob]);

  it('accepts the specification example by its NTLMv2 response alone', () => {
    const auth = decodeAuthenticate(authenticate({ lm: Buffer.alloc(24), nt, domain: 'Domain', user: 'User' }));
    expect(verifyAuthenticate(auth, NLMP.serverChallenge, DOMAIN, ACCOUNTS)).toEqual({ ok: true, account: 'Domain\\User', proof: 'NTLMv2' });
  });

  it('accepts it by its LMv2 response alone (what tedious relies on)', () => {
    const auth = decodeAuthenticate(authenticate({ lm, nt: NLMP.ntProofStr, domain: 'Domain', user: 'User' }));
    expect(verifyAuthenticate(auth, NLMP.serverChallenge, DOMAIN, ACCOUNTS)).toEqual({ ok: true, account: 'Domain\\User', proof: 'LMv2' });
  });

  it('refuses another challenge, a flipped bit, another password, NTLMv1 and an untrusted domain', () => {
    const verdict = (a: Parameters<typeof authenticate>[0], challenge = NLMP.serverChallenge, accounts = ACCOUNTS) =>
      verifyAuthenticate(decodeAuthenticate(authenticate(a)), challenge, DOMAIN, accounts);
    expect(verdict({ lm, nt, domain: 'Domain', user: 'User' }, Buffer.alloc(8))).toMatchObject({ ok: false, reason: 'wrong password for Domain\\User' });
    const flipped = Buffer.from(nt);
    flipped[40] ^= 1;
    expect(verdict({ lm: Buffer.alloc(24), nt: flipped, domain: 'Domain', user: 'User' })).toMatchObject({ ok: false });
    expect(verdict({ lm, nt, domain: 'Domain', user: 'User' }, NLMP.serverChallenge, [{ ...ACCOUNTS[0], password: 'other' }])).toMatchObject({ ok: false });
    expect(verdict({ lm: Buffer.alloc(24), nt: Buffer.alloc(24), domain: 'Domain', user: 'User' })).toEqual({ ok: false, reason: 'NTLMv1 refused' });
    expect(verdict({ lm, nt, domain: 'ELSEWHERE', user: 'User' })).toEqual({ ok: false, reason: 'untrusted domain ELSEWHERE' });
    expect(verdict({ lm, nt, domain: 'TRUSTED', user: 'User' })).toEqual({ ok: false, reason: 'no account TRUSTED\\User' });
  });

  it('issues a challenge tedious and FreeTDS can read: target name at 56, then the target info', () => {
    const { serverChallenge, message } = issueChallenge({ domain: 'CONTOSO', dnsDomain: 'contoso.test', computer: 'SQL1', trustedDomains: [] });
    expect(message.readUInt32LE(16)).toBe(56);
    expect(message.subarray(56, 56 + 14).toString('ucs2')).toBe('CONTOSO');
    expect(decodeChallenge(message)).toMatchObject({
      serverChallenge, targetName: 'CONTOSO', nbDomain: 'CONTOSO', dnsDomain: 'contoso.test', nbComputer: 'SQL1', dnsComputer: 'sql1.contoso.test',
    });
  });

  it('decodes only NTLM messages, and throws TdsDecodeError on anything else', () => {
    const signed = (type: number, rest: Uint8Array) => Buffer.concat([Buffer.from('NTLMSSP\0', 'latin1'), Buffer.from([type, 0, 0, 0]), rest]);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.constantFrom(2, 3), (bytes, type) => {
      for (const decode of [decodeChallenge, decodeAuthenticate]) {
        try {
          decode(signed(type, bytes));
        } catch (e) {
          if (!(e instanceof TdsDecodeError)) throw e;
        }
      }
    }));
    const challenge = encodeChallenge({ serverChallenge: Buffer.alloc(8, 1), targetName: 'X', targetInfo: encodeTargetInfo({ nbDomain: 'X', nbComputer: 'Y' }) });
    expect(() => decodeAuthenticate(challenge)).toThrow(TdsDecodeError);
  });

  it('LOGIN7 carries the SSPI data of integrated authentication', () => {
    const sspi = Buffer.from('NTLMSSP\0\x01\0\0\0negotiate', 'latin1');
    expect(decodeLogin7(encodeLogin7({ sspi, serverName: 'x' }))).toMatchObject({ sspi, user: '', password: '' });
    expect(decodeLogin7(encodeLogin7({ user: 'u', password: 'p' })).sspi).toBeUndefined();
  });
});

describe('SQL Server Resolution Protocol (MC-SQLR)', () => {
  it('encodes the requests drivers send, and decodes them', () => {
    expect(encodeSsrpRequest({ type: 'instance', instance: 'SQLEXPRESS' })).toEqual(Buffer.from('\x04SQLEXPRESS\0', 'latin1'));
    expect(encodeSsrpRequest({ type: 'list' })).toEqual(Buffer.from([0x03]));
    expect(decodeSsrpRequest(Buffer.from([0x02]))).toEqual({ type: 'list' });
    expect(decodeSsrpRequest(Buffer.from('\x04SQLEXPRESS\0', 'latin1'))).toEqual({ type: 'instance', instance: 'SQLEXPRESS' });
    expect(decodeSsrpRequest(Buffer.from('\x0f\x01SQLEXPRESS\0', 'latin1'))).toEqual({ type: 'dac', instance: 'SQLEXPRESS' });
    expect(decodeSsrpRequest(Buffer.from([0x04]))).toBeUndefined();
    expect(decodeSsrpRequest(Buffer.from([0x07, 0x41]))).toBeUndefined();
    expect(() => encodeSsrpRequest({ type: 'instance', instance: 'X'.repeat(40) })).toThrow(RangeError);
  });

  it('round-trips a SVR_RESP listing instances, with and without TCP', () => {
    const instances = [
      { serverName: 'SQL1', name: 'SQLEXPRESS', clustered: false, version: '16.0.1000.6', tcp: 50123, np: '\\\\SQL1\\pipe\\MSSQL$SQLEXPRESS\\sql\\query' },
      { serverName: 'SQL1', name: 'PIPES', clustered: true, version: '15.0.2000.5' },
    ];
    const wire = encodeSsrpResponse(instances);
    expect(wire.toString('latin1', 3)).toBe('ServerName;SQL1;InstanceName;SQLEXPRESS;IsClustered;No;Version;16.0.1000.6;tcp;50123;np;\\\\SQL1\\pipe\\MSSQL$SQLEXPRESS\\sql\\query;;ServerName;SQL1;InstanceName;PIPES;IsClustered;Yes;Version;15.0.2000.5;;');
    expect(decodeSsrpResponse(wire)).toEqual(instances.map((i) => ({ np: undefined, tcp: undefined, ...i })));
  });

  it('rejects datagrams that are not a well-formed SVR_RESP', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const decoded = decodeSsrpResponse(Buffer.from(bytes));
      return decoded === undefined || (bytes[0] === 0x05 && Buffer.from(bytes).readUInt16LE(1) === bytes.length - 3);
    }));
    expect(decodeSsrpResponse(Buffer.from([0x05, 0x09, 0x00, 0x41]))).toBeUndefined();
  });
});
