import fc from 'fast-check';
import * as net from 'node:net';
import { clientPrelogin, encodeLogin7, encodeMessage, encodeRpc, encodeSqlBatch, Encryption, PacketType, TdsVersion } from '../../shared/tds';
import type { Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { closeTedious, connectTedious, query, SIM_PASSWORD, SIM_USER, startSim, tediousConfig } from '../helpers/sim';

let sim: Simulator;
let certs: TestCerts;
beforeAll(async () => {
  certs = createTestCerts();
  sim = await startSim({ idleTimeoutMs: 60_000, strict: true, tls: certs.good });
});
afterAll(async () => {
  await sim.stop();
  certs.cleanup();
});

/** Sends bytes on a fresh connection and resolves when the server has answered or closed (or after a short wait). */
function throwAt(port: number, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve();
    };
    const timer = setTimeout(done, 15);
    s.on('error', done);
    s.on('close', done);
    s.on('connect', () => {
      for (const c of chunks) s.write(c);
    });
  });
}

const prelogin = encodeMessage(PacketType.PRELOGIN, clientPrelogin({ encryption: Encryption.NOT_SUP }));
/** Starts classic TLS: what follows lands in the TLS bridge. */
const preloginTls = encodeMessage(PacketType.PRELOGIN, clientPrelogin({ encryption: Encryption.ON }));
/** A strict (TDS 8.0) connection starts with a TLS handshake record. */
const tlsRecord = Buffer.from([0x16, 0x03, 0x01]);
const login = encodeMessage(PacketType.LOGIN7, encodeLogin7({ user: SIM_USER, password: SIM_PASSWORD, database: 'master' }));
const batch = encodeMessage(PacketType.SQL_BATCH, encodeSqlBatch('SELECT 1', TdsVersion.V7_4));
const rpc = encodeMessage(PacketType.RPC, encodeRpc({ proc: 10, params: [{ name: '@stmt', value: 'SELECT @@SPID' }] }, TdsVersion.V7_4));

test('random bytes, random packets and truncated valid messages do not disturb a live session', async () => {
  const live = await connectTedious(tediousConfig(sim));
  const [[spid]] = await query(live, 'SELECT @@SPID');

  const randomPacket = fc
    .record({ type: fc.constantFrom(0x01, 0x03, 0x06, 0x10, 0x12, 0x0e, 0xff), body: fc.uint8Array({ maxLength: 600 }), size: fc.integer({ min: 512, max: 32767 }) })
    .map(({ type, body, size }) => encodeMessage(type, Buffer.from(body), { packetSize: size }));
  const truncated = fc.tuple(fc.constantFrom(prelogin, login, batch, rpc), fc.nat()).map(([m, n]) => m.subarray(0, n % m.length));
  // A valid prefix (PRELOGIN, or PRELOGIN + LOGIN7) followed by garbage reaches every session state.
  const afterLogin = fc.tuple(fc.constantFrom([prelogin], [prelogin, login], [preloginTls], [tlsRecord]), fc.oneof(randomPacket, truncated, fc.uint8Array({ maxLength: 200 }).map(Buffer.from)));

  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 500 }).map((b) => [Buffer.from(b)]), randomPacket.map((p) => [p]), truncated.map((t) => [t]), afterLogin.map(([head, tail]) => [...head, tail])), async (chunks) => {
      await throwAt(sim.gatewayPort, chunks);
    }),
    { numRuns: 200 },
  );

  expect(await query(live, 'SELECT @@SPID')).toEqual([[spid]]);
  expect(await query(live, 'SELECT 1', true)).toEqual([[1]]);
  await closeTedious(live);
  const fresh = await connectTedious(tediousConfig(sim));
  expect(await query(fresh, 'SELECT 1')).toEqual([[1]]);
  await closeTedious(fresh);
});

test('a raw client built from the codec logs in and queries by batch and RPC', async () => {
  const { MessageSocket, decodeTokens } = await import('../../shared/tds');
  const socket = net.connect(sim.gatewayPort, '127.0.0.1');
  const io = new MessageSocket(socket);
  io.send(PacketType.PRELOGIN, clientPrelogin({ encryption: Encryption.NOT_SUP }));
  await io.next();
  io.send(PacketType.LOGIN7, encodeLogin7({ user: SIM_USER, password: SIM_PASSWORD }));
  expect(decodeTokens((await io.next()).payload, TdsVersion.V7_4).map((t) => t.kind)).toContain('loginack');
  socket.write(Buffer.concat([batch, rpc]));
  const rows = [await io.next(), await io.next()].flatMap((m) => decodeTokens(m.payload, TdsVersion.V7_4).filter((t) => t.kind === 'row'));
  expect(rows).toHaveLength(2);
  socket.destroy();
});
