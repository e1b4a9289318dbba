import { Connection, Request, type ConnectionConfiguration } from 'tedious';
import type { Target, TargetInput } from '../../shared/config';
import type { ProbeOptions } from '../../shared/probers';
import { DEFAULT_LOGIN, start, type SimConfigInput, type SimEvent, type SimEventKind, type Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from './certs';
import { probeOptions, target } from './targets';

export const SIM_USER = DEFAULT_LOGIN.user;
export const SIM_PASSWORD = DEFAULT_LOGIN.password;

/** Starts the simulator on loopback with free ports; remember to `await sim.stop()`. */
export function startSim(config: SimConfigInput = {}): Promise<Simulator> {
  return start({ host: '127.0.0.1', port: 0, ...config });
}

/**
 * For a test file whose tests each start their own simulator: one set of certificates for the file
 * (`certs()`), and `start` for simulators that are stopped after the test that started them.
 */
export function simPerTest(): { certs: () => TestCerts; start: (config?: SimConfigInput) => Promise<Simulator> } {
  let files: TestCerts | undefined;
  // Every one a test started: a test may start more than one.
  const running: Simulator[] = [];
  beforeAll(() => {
    files = createTestCerts();
  });
  afterAll(() => files?.cleanup());
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.stop()));
  });
  return {
    certs: () => files!,
    start: async (config = {}) => {
      const sim = await startSim(config);
      running.push(sim);
      return sim;
    },
  };
}

/** What the probers get against the simulator: its default password in the setting the sim targets name. */
export const SIM_OPTIONS: ProbeOptions = probeOptions({ timeoutMs: 10_000, env: { SIM_PASSWORD } });

let certs: TestCerts | undefined;

/** One CA and server certificate per test file: targets are always encrypted. */
export function simCerts(): TestCerts {
  certs ??= createTestCerts();
  return certs;
}

export function cleanupCerts(): void {
  certs?.cleanup();
  certs = undefined;
}

/** The simulator with TLS, so the production opener (encrypt: true, our CA) logs in as it would in Azure. */
export function startTlsSim(config: SimConfigInput = {}): Promise<Simulator> {
  return startSim({ encrypt: 'on', tls: simCerts().good, ...config });
}

/** A target aimed at the simulator with a ladder scaled to seconds. */
export function simTarget(sim: Simulator, input: Partial<TargetInput> = {}): Target {
  return target({
    server: sim.host,
    port: sim.gatewayPort,
    database: 'appdb',
    caFile: simCerts().caFile,
    auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
    probes: ['idle'],
    ...input,
  });
}

/** Resolves with the next simulator event of this kind (and matching `where`), or rejects after `timeoutMs`. */
export function nextEvent(sim: Simulator, kind: SimEventKind, where: (e: SimEvent) => boolean = () => true, timeoutMs = 10_000): Promise<SimEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sim.events.off('event', on);
      reject(new Error(`no ${kind} event within ${timeoutMs}ms`));
    }, timeoutMs);
    const on = (e: SimEvent): void => {
      if (e.kind !== kind || !where(e)) return;
      clearTimeout(timer);
      sim.events.off('event', on);
      resolve(e);
    };
    sim.events.on('event', on);
  });
}

/** A tedious configuration for the simulator's default SQL login. */
export function tediousConfig(sim: Simulator, options: ConnectionConfiguration['options'] = {}, auth?: ConnectionConfiguration['authentication']): ConnectionConfiguration {
  return {
    server: sim.host,
    authentication: auth ?? { type: 'default', options: { userName: SIM_USER, password: SIM_PASSWORD } },
    options: { port: sim.gatewayPort, encrypt: false, trustServerCertificate: false, connectTimeout: 5000, maxRetriesOnTransientErrors: 0, ...options },
  };
}

/** Connects with tedious; rejects with the connection error. Always has an 'error' listener attached. */
export function connectTedious(config: ConnectionConfiguration): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const c = new Connection(config);
    c.on('error', () => undefined);
    c.connect((err) => (err ? reject(err) : resolve(c)));
  });
}

/** Runs one statement by SQL batch (or by RPC with `rpc`) and returns its rows as arrays of values. */
export function query(c: Connection, sql: string, rpc = false): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const rows: unknown[][] = [];
    const r = new Request(sql, (err) => (err ? reject(err) : resolve(rows)));
    r.on('row', (cols: Array<{ value: unknown }>) => rows.push(cols.map((c) => c.value)));
    if (rpc) c.execSql(r);
    else c.execSqlBatch(r);
  });
}

/** Closes a tedious connection and waits for its 'end'. */
export function closeTedious(c: Connection): Promise<void> {
  return new Promise((resolve) => {
    if (c.closed) return resolve();
    c.once('end', () => resolve());
    c.close();
  });
}
