import type { Connection } from 'tedious';
import type { Target } from '../config';
import type { Assertion, Classification, ListenerResult, ProbeResult, ResultDetails, ServerFacts } from '../contract';
import { assess, mismatch } from './assertion';
import { tedious } from './drivers';
import { ProbeRecorder } from './recorder';
import { openSession, type SessionInfo } from './session';
import type { ProbeOptions, Prober } from './prober';

export type Row = Record<string, unknown>;

export interface Batch {
  /** Each result set: its rows keyed by column name. */
  sets: Row[][];
  /** The first result set's first row, in column order (names can be empty or repeat); absent when it had no row. */
  firstRow?: unknown[];
}

/**
 * Runs one SQL batch (execSqlBatch: no sp_executesql round trip) and returns its result sets, each a
 * list of rows keyed by column name. Rejects with tedious's RequestError (carrying number and
 * state), or with the signal's reason when it aborts first; the caller then closes the connection.
 */
export function runBatch(connection: Connection, sql: string, signal?: AbortSignal): Promise<Batch> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const batch: Batch = { sets: [] };
    const onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const request = new (tedious().Request)(sql, (err) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(batch);
    });
    request.on('columnMetadata', () => batch.sets.push([]));
    request.on('row', (columns: { metadata: { colName: string }; value: unknown }[]) => {
      if (batch.sets.length === 1) batch.firstRow ??= columns.map((c) => c.value);
      batch.sets.at(-1)?.push(Object.fromEntries(columns.map((c) => [c.metadata.colName, c.value])));
    });
    connection.execSqlBatch(request);
  });
}

/** Appended to the target's query in the same batch, so the facts cost no extra round trip. */
const FACTS_SQL = "SELECT @@SPID AS spid, SERVERPROPERTY('EngineEdition') AS engineEdition, DATABASEPROPERTYEX(DB_NAME(), 'Updateability') AS updateability, DB_NAME() AS db";

export function withFacts(query: string): string {
  return `${query.trim().replace(/;+$/, '')};\n${FACTS_SQL}`;
}

const asInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

/** Reads the facts row (the batch's last result set). */
export function parseFacts(row: Row | undefined): ServerFacts {
  if (!row) return {};
  const updateability = row.updateability === 'READ_ONLY' || row.updateability === 'READ_WRITE' ? row.updateability : undefined;
  const facts: ServerFacts = { spid: asInt(row.spid), engineEdition: asInt(row.engineEdition), updateability, database: typeof row.db === 'string' ? row.db : undefined };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
}

export interface ListenerProbe {
  recorder: ProbeRecorder;
  error?: Classification;
  details: ResultDetails;
}

export interface ListenerSpec {
  listener?: 'primary' | 'secondary';
  server?: string;
  port?: number;
  readOnlyIntent?: boolean;
  /** The Updateability the listener must report, when facts are fetched. */
  expectUpdateability?: 'READ_WRITE' | 'READ_ONLY';
}

function pathDetails(info: SessionInfo): ResultDetails {
  return {
    ...(info.policy ? { policy: info.policy } : {}),
    ...(info.routed ? { routed: info.routed } : {}),
    ...(info.browser ? { browser: info.browser } : {}),
    encrypted: info.encrypted,
    ...(info.tls ? { tls: info.tls } : {}),
    ...(info.connects.length ? { tcp: { connects: info.connects } } : {}),
  };
}

function queryFailure(recorder: ProbeRecorder, error: unknown, signal: AbortSignal): Classification {
  const server = error instanceof tedious().RequestError && error.number !== undefined ? { number: error.number, state: error.state, message: error.message } : undefined;
  return recorder.classify({ error, server, timedOut: signal.aborted });
}

/** What the target expects of the path and the database, checked after a successful query. */
function expectationFailure(target: Target, recorder: ProbeRecorder, info: SessionInfo, facts: ServerFacts | undefined, spec: ListenerSpec, assertion?: Assertion): Classification | undefined {
  const policy = target.expect.policy;
  if (policy && info.policy !== policy) {
    return recorder.classify({ class: 'policy-mismatch', message: `expected the ${policy} policy, the login was ${info.policy === 'redirect' ? `redirected to ${info.routed?.host}:${info.routed?.port}` : 'proxied'}` });
  }
  const want = spec.expectUpdateability;
  if (facts && want && facts.updateability !== want) {
    return recorder.classify({ class: 'read-only-mismatch', message: `expected Updateability ${want} on ${spec.server ?? target.server}, got ${facts.updateability ?? 'nothing'}` });
  }
  if (assertion && !assertion.matches) return recorder.classify({ class: 'query-unexpected-result', message: mismatch(assertion) });
  return undefined;
}

/**
 * One listener: log in through the shared session opener, run the target's query (with the facts
 * in the same batch when wanted), check expectations, close. Never throws.
 */
export async function probeListener(target: Target, options: ProbeOptions, signal: AbortSignal, recorder: ProbeRecorder, spec: ListenerSpec): Promise<ListenerProbe> {
  const opened = await openSession(target, options, signal, { recorder, server: spec.server, port: spec.port, readOnlyIntent: spec.readOnlyIntent });
  if (!opened.ok) return { recorder, error: opened.error, details: pathDetails(opened.info) };
  const { session } = opened;
  const wantFacts = !!(options.facts || spec.expectUpdateability);
  try {
    const sql = wantFacts ? withFacts(target.expect.query) : target.expect.query;
    const batch = await recorder.time('query', () => runBatch(session.connection, sql, signal));
    const facts = wantFacts ? parseFacts(batch.sets.at(-1)?.[0]) : undefined;
    // The target's query comes first in the batch; a batch whose only set is the facts' had no answer of its own.
    const ownRow = batch.sets.length > (wantFacts ? 1 : 0) ? batch.firstRow : undefined;
    const assertion = target.expect.result ? assess(target.expect.result, ownRow) : undefined;
    const details = { ...pathDetails(session), ...(facts ? { facts } : {}), ...(assertion ? { assertion } : {}) };
    return { recorder, error: expectationFailure(target, recorder, session, facts, spec, assertion), details };
  } catch (error) {
    return { recorder, error: queryFailure(recorder, error, signal), details: pathDetails(session) };
  } finally {
    await session.close();
  }
}

/** `<fog>.database.windows.net` → `<fog>.secondary.database.windows.net`, the read-only listener. */
export function secondaryListener(server: string): string {
  const dot = server.indexOf('.');
  return dot < 0 ? server : `${server.slice(0, dot)}.secondary${server.slice(dot)}`;
}

function summary(listener: ListenerResult['listener'], server: string, port: number, probe: ListenerProbe): ListenerResult {
  const result = probe.recorder.result(probe.error, probe.details);
  const { success, durationMs, phases, error, policy, routed, facts, assertion } = result;
  return { listener, server, port, success, durationMs, phases, ...(error ? { error } : {}), ...(policy ? { policy } : {}), ...(routed ? { routed } : {}), ...(facts ? { facts } : {}), ...(assertion ? { assertion } : {}) };
}

/** Both listeners of a failover group, in parallel: read-write on the primary, read-only on the secondary. */
async function probeFailoverGroup(target: Target & { failoverGroup: NonNullable<Target['failoverGroup']> }, options: Parameters<Prober>[1], signal: AbortSignal): Promise<ProbeResult> {
  const fog = target.failoverGroup;
  const secondary = { server: fog.secondaryServer ?? secondaryListener(target.server), port: fog.secondaryPort ?? target.port };
  const [first, second] = await Promise.all([
    probeListener(target, options, signal, new ProbeRecorder(target, 'login', options), { listener: 'primary', expectUpdateability: 'READ_WRITE' }),
    probeListener(target, options, signal, new ProbeRecorder(target, 'login', options), { listener: 'secondary', ...secondary, readOnlyIntent: true, expectUpdateability: 'READ_ONLY' }),
  ]);
  const listeners = [summary('primary', target.server, target.port, first), summary('secondary', secondary.server, secondary.port, second)];
  return first.recorder.result(first.error ?? second.error, { ...first.details, listener: 'primary', listeners });
}

/**
 * Logs in with tedious 20, runs the target's query and reports the phases, the policy (proxy or
 * redirect, with the routed node), TLS and, when asked for, server facts from the same batch.
 */
export const loginProber: Prober = async (target, options, signal) => {
  const { failoverGroup } = target;
  if (failoverGroup) return probeFailoverGroup({ ...target, failoverGroup }, options, signal);
  const recorder = new ProbeRecorder(target, 'login', options);
  const expectUpdateability = target.expect.readOnly ? 'READ_ONLY' : undefined;
  const probe = await probeListener(target, options, signal, recorder, { expectUpdateability, readOnlyIntent: target.expect.readOnly });
  return recorder.result(probe.error, probe.details);
};
