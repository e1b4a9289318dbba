import { readFileSync } from 'node:fs';
import type { Connection } from 'tedious';
import { INJECTABLE_ERRORS, type Simulator } from '../../sim';
import { closeTedious, connectTedious, query, simPerTest, tediousConfig } from '../helpers/sim';

const sims = simPerTest();
let sim: Simulator;

const SERVER_FACTS_SQL =
  "SELECT 1 AS ok, @@SPID AS spid, SERVERPROPERTY('EngineEdition') AS edition, DATABASEPROPERTYEX(DB_NAME(),'Updateability') AS updateability, DB_NAME() AS db";

async function expectSelectOneAndSpid(c: Connection, s: Simulator): Promise<void> {
  expect(await query(c, 'SELECT 1')).toEqual([[1]]);
  const [[spid]] = await query(c, 'SELECT @@SPID');
  expect(s.sessions().map((x) => x.spid)).toContain(spid);
  expect(await query(c, 'SELECT @@SPID AS spid', true)).toEqual([[spid]]);
}

/** Collects errorMessage numbers from a failing connect. */
async function loginErrors(config: Parameters<typeof connectTedious>[0]): Promise<{ numbers: number[]; messages: string[]; err: Error }> {
  const { Connection } = await import('tedious');
  return new Promise((resolve) => {
    const c = new Connection(config);
    const numbers: number[] = [];
    const messages: string[] = [];
    c.on('errorMessage', (m) => {
      numbers.push(m.number);
      messages.push(m.message);
    });
    c.on('error', () => undefined);
    c.connect((err) => {
      c.close();
      resolve({ numbers, messages, err: err as Error });
    });
  });
}

test('plain: SELECT 1 and @@SPID by batch and by RPC', async () => {
  sim = await sims.start();
  const c = await connectTedious(tediousConfig(sim));
  await expectSelectOneAndSpid(c, sim);
  await closeTedious(c);
});

test('encrypt: true runs classic TLS inside PRELOGIN, capped at TLS 1.2', async () => {
  sim = await sims.start({ encrypt: 'on', tls: sims.certs().good });
  const c = await connectTedious(tediousConfig(sim, { encrypt: true, cryptoCredentialsDetails: { ca: readFileSync(sims.certs().caFile) } }));
  const secure = (c as unknown as { messageIo: { securePair?: { cleartext: import('node:tls').TLSSocket } } }).messageIo.securePair;
  expect(secure?.cleartext.getProtocol()).toBe('TLSv1.2');
  await expectSelectOneAndSpid(c, sim);
  expect(sim.sessions()[0].encryption).toBe('full');
  await closeTedious(c);
});

test("encrypt: 'strict' runs TDS 8.0 with ALPN tds/8.0", async () => {
  sim = await sims.start({ encrypt: 'on', strict: true, tls: sims.certs().good });
  const c = await connectTedious(tediousConfig(sim, { encrypt: 'strict', cryptoCredentialsDetails: { ca: readFileSync(sims.certs().caFile) } }));
  const socket = (c as unknown as { socket: import('node:tls').TLSSocket }).socket;
  expect(socket.alpnProtocol).toBe('tds/8.0');
  await expectSelectOneAndSpid(c, sim);
  expect(sim.sessions()[0].encryption).toBe('strict');
  await closeTedious(c);
});

test('certificate failures surface as ESOCKET with the TLS cause', async () => {
  sim = await sims.start({ encrypt: 'on', tls: sims.certs().wrongHost });
  const ca = readFileSync(sims.certs().caFile);
  const wrong = await connectTedious(tediousConfig(sim, { encrypt: true, cryptoCredentialsDetails: { ca } })).catch((e: Error) => e);
  expect((wrong as { code?: string }).code).toBe('ESOCKET');
  expect(((wrong as Error).cause as { code?: string }).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  await sim.stop();
  sim = await sims.start({ encrypt: 'on', tls: sims.certs().expired });
  const expired = await connectTedious(tediousConfig(sim, { encrypt: true, cryptoCredentialsDetails: { ca } })).catch((e: Error) => e);
  expect(((expired as Error).cause as { code?: string }).code).toBe('CERT_HAS_EXPIRED');
  await sim.stop();
  sim = await sims.start({ encrypt: 'on', tls: sims.certs().selfSigned });
  const self = await connectTedious(tediousConfig(sim, { encrypt: true })).catch((e: Error) => e);
  expect(((self as Error).cause as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
});

test('redirect: the rerouting event fires and the session lands on the node port', async () => {
  sim = await sims.start({ policy: 'redirect', encrypt: 'on', tls: sims.certs().good });
  const { Connection } = await import('tedious');
  const c = new Connection(tediousConfig(sim, { encrypt: true, cryptoCredentialsDetails: { ca: readFileSync(sims.certs().caFile) } }));
  c.on('error', () => undefined);
  let routed: { server: string; port: number } | undefined;
  // tedious's typings omit 'rerouting'; the event exists (connection.ts performReRouting).
  (c as unknown as import('node:events').EventEmitter).on('rerouting', () => {
    routed = { ...(c as unknown as { routingData: { server: string; port: number } }).routingData };
  });
  await new Promise<void>((resolve, reject) => c.connect((err) => (err ? reject(err) : resolve())));
  expect(routed).toEqual(expect.objectContaining({ server: '127.0.0.1', port: sim.nodePort }));
  expect((c as unknown as { socket: import('node:net').Socket }).socket.remotePort).toBe(sim.nodePort);
  expect(sim.sessions().filter((s) => s.state === 'ready').map((s) => s.listener)).toEqual(['node']);
  await expectSelectOneAndSpid(c, sim);
  await closeTedious(c);
});

test('the combined facts batch, and a user query followed by it, return one row each', async () => {
  sim = await sims.start({ servers: [{ name: 'fog-secondary', readOnly: true, engineEdition: 5 }] });
  const c = await connectTedious(tediousConfig(sim, { database: 'appdb' }));
  const [[ok, spid, edition, updateability, db]] = await query(c, SERVER_FACTS_SQL);
  expect([ok, edition, updateability, db]).toEqual([1, 5, 'READ_ONLY', 'appdb']);
  expect(spid).toBe(sim.sessions()[0].spid);
  expect(await query(c, `SELECT 1; ${SERVER_FACTS_SQL}`)).toEqual([[1], [1, spid, 5, 'READ_ONLY', 'appdb']]);
  expect(await query(c, SERVER_FACTS_SQL, true)).toEqual([[1, spid, 5, 'READ_ONLY', 'appdb']]);
  const [[version]] = await query(c, 'SELECT @@VERSION');
  expect(version).toMatch(/Microsoft SQL Azure/);
  await expect(query(c, 'SELECT * FROM sys.tables')).rejects.toThrow(/Incorrect syntax|Invalid/);
  expect(await query(c, "WAITFOR DELAY '00:00:00.010'; SELECT 2")).toEqual([[2]]);
  await closeTedious(c);
});

test('wrong password gives 18456 state 8; unknown database gives 4060', async () => {
  sim = await sims.start();
  const bad = await loginErrors(tediousConfig(sim, {}, { type: 'default', options: { userName: 'sqlprobe', password: 'nope' } }));
  expect(bad.numbers).toEqual([18456]);
  expect((bad.err as { code?: string }).code).toBe('ELOGIN');
  const db = await loginErrors(tediousConfig(sim, { database: 'missing' }));
  expect(db.numbers).toEqual([4060]);
});

test('an access token logs in through FEDAUTH; a wrong one is refused', async () => {
  sim = await sims.start({ servers: [{ accessTokens: ['good-token'] }] });
  const c = await connectTedious(tediousConfig(sim, {}, { type: 'azure-active-directory-access-token', options: { token: 'good-token' } }));
  expect(await query(c, 'SELECT 1')).toEqual([[1]]);
  await closeTedious(c);
  const bad = await loginErrors(tediousConfig(sim, {}, { type: 'azure-active-directory-access-token', options: { token: 'bad' } }));
  expect(bad.numbers).toEqual([18456]);
});

test.each(INJECTABLE_ERRORS.filter((n) => n !== 18456 && n !== 4060))('injected %i arrives through errorMessage', async (number) => {
  sim = await sims.start({ servers: [{ errors: [{ number }] }] });
  const r = await loginErrors(tediousConfig(sim));
  expect(r.numbers).toEqual([number]);
});

test('injected 40615 names the client address in its message, as Azure SQL does', async () => {
  sim = await sims.start({ servers: [{ errors: [{ number: 40615 }] }] });
  const r = await loginErrors(tediousConfig(sim));
  expect(r.messages[0]).toMatch(/Client with IP address '127\.0\.0\.1' is not allowed to access the server/);
});

test('a transient sequence fails the first N logins, then tedious retries into a session', async () => {
  sim = await sims.start({ servers: [{ errors: [{ number: 40613, times: 2 }] }] });
  const { Connection } = await import('tedious');
  const c = new Connection(tediousConfig(sim, { maxRetriesOnTransientErrors: 3, connectionRetryInterval: 50 }));
  const numbers: number[] = [];
  c.on('errorMessage', (m) => numbers.push(m.number));
  c.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => c.connect((err) => (err ? reject(err) : resolve())));
  expect(numbers).toEqual([40613, 40613]);
  await closeTedious(c);
});

test('errors can target one login or one database', async () => {
  sim = await sims.start({
    servers: [{ logins: [{ user: 'a', password: 'pa' }, { user: 'b', password: 'pb' }], errors: [{ number: 40532, user: 'a' }, { number: 47073, database: 'appdb' }] }],
  });
  const a = await loginErrors(tediousConfig(sim, {}, { type: 'default', options: { userName: 'a', password: 'pa' } }));
  expect(a.numbers).toEqual([40532]);
  const b = await loginErrors(tediousConfig(sim, { database: 'appdb' }, { type: 'default', options: { userName: 'b', password: 'pb' } }));
  expect(b.numbers).toEqual([47073]);
  const ok = await connectTedious(tediousConfig(sim, { database: 'master' }, { type: 'default', options: { userName: 'b', password: 'pb' } }));
  await closeTedious(ok);
});

test('several logical servers share one process, picked by the LOGIN7 server name', async () => {
  sim = await sims.start({ servers: [{ name: 'one', databases: ['db1'] }, { name: 'two', databases: ['db2'], engineEdition: 8 }] });
  const port = sim.gatewayPort;
  // tedious puts config.server into LOGIN7; a connector reaches loopback whatever that name is.
  const connector = async () => (await import('node:net')).connect(port, '127.0.0.1');
  const c = await connectTedious({ ...tediousConfig(sim, { database: 'db2', connector }), server: 'two.database.windows.net' });
  expect(await query(c, "SELECT DB_NAME() AS db, SERVERPROPERTY('EngineEdition') AS e")).toEqual([['db2', 8]]);
  expect(sim.sessions()[0].server).toBe('two');
  await closeTedious(c);
});

test('latency keeps the PRELOGIN answer in the clear before classic TLS starts', async () => {
  sim = await sims.start({ encrypt: 'on', tls: sims.certs().good, latencyMs: 20 });
  const c = await connectTedious(tediousConfig(sim, { encrypt: true, cryptoCredentialsDetails: { ca: readFileSync(sims.certs().caFile) } }));
  await expectSelectOneAndSpid(c, sim);
  await closeTedious(c);
});
