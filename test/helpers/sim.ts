import { Connection, Request, type ConnectionConfiguration } from 'tedious';
import { DEFAULT_LOGIN, start, type SimConfigInput, type SimEvent, type SimEventKind, type Simulator } from '../../sim';

export const SIM_USER = DEFAULT_LOGIN.user;
export const SIM_PASSWORD = DEFAULT_LOGIN.password;

/** Starts the simulator on loopback with free ports; remember to `await sim.stop()`. */
export function startSim(config: SimConfigInput = {}): Promise<Simulator> {
  return start({ host: '127.0.0.1', port: 0, ...config });
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
