import { RequestError } from 'tedious';
import type { Classification } from '../classify/schema';
import type { Target } from '../config/target';
import type { ProbeRecorder, ResultDetails } from './record';
import { runBatch } from './session/batch';
import { parseFacts, withFacts, type ServerFacts } from './session/facts';
import { openSession, type SessionInfo } from './session/open';
import type { ProbeOptions } from './types';

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
    encrypted: info.encrypted,
    ...(info.tls ? { tls: info.tls } : {}),
    ...(info.connects.length ? { tcp: { connects: info.connects } } : {}),
  };
}

function queryFailure(recorder: ProbeRecorder, error: unknown, signal: AbortSignal): Classification {
  const server = error instanceof RequestError && error.number !== undefined ? { number: error.number, state: error.state, message: error.message } : undefined;
  return recorder.classify({ error, server, timedOut: signal.aborted });
}

/** What the target expects of the path and the database, checked after a successful query. */
function expectationFailure(target: Target, recorder: ProbeRecorder, info: SessionInfo, facts: ServerFacts | undefined, spec: ListenerSpec): Classification | undefined {
  const policy = target.expect.policy;
  if (policy && info.policy !== policy) {
    return recorder.classify({ class: 'policy-mismatch', message: `expected the ${policy} policy, the login was ${info.policy === 'redirect' ? `redirected to ${info.routed?.host}:${info.routed?.port}` : 'proxied'}` });
  }
  const want = spec.expectUpdateability;
  if (facts && want && facts.updateability !== want) {
    return recorder.classify({ class: 'read-only-mismatch', message: `expected Updateability ${want} on ${spec.server ?? target.server}, got ${facts.updateability ?? 'nothing'}` });
  }
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
    const sets = await recorder.time('query', () => runBatch(session.connection, sql, signal));
    const facts = wantFacts ? parseFacts(sets.at(-1)?.[0]) : undefined;
    const details = { ...pathDetails(session), ...(facts ? { facts } : {}) };
    return { recorder, error: expectationFailure(target, recorder, session, facts, spec), details };
  } catch (error) {
    return { recorder, error: queryFailure(recorder, error, signal), details: pathDetails(session) };
  } finally {
    await session.close();
  }
}
