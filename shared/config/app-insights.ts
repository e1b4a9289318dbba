import { GUID_PATTERN } from '../contract';

// The settings schema validates both strings with these parsers, and telemetry reads them with the
// same ones, so a string the settings accept is one telemetry can use.

/** Key=value pairs separated by ";" (connection and authentication strings), keys lower-cased. */
function keyValues(text: string): Map<string, string> {
  const pairs = text.split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
    const at = p.indexOf('=');
    return at < 0 ? ([p.toLowerCase(), ''] as const) : ([p.slice(0, at).trim().toLowerCase(), p.slice(at + 1).trim()] as const);
  });
  return new Map(pairs);
}

/** The portal shows the instrumentation key in lower case; anything else was retyped or is another value. */
const isInstrumentationKey = (ikey: string | undefined): ikey is string => !!ikey && GUID_PATTERN.test(ikey) && ikey === ikey.toLowerCase();

const CONNECTION_STRING = 'APPLICATIONINSIGHTS_CONNECTION_STRING';
const AUTHENTICATION_STRING = 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING';

export interface Ingestion {
  /**
   * Set when IngestionEndpoint is plain http:// (a local collector). The exporter rewrites such an
   * endpoint to https, so the origin must go in as its `host` override with allowInsecureConnection.
   */
  plainHttpHost?: string;
  /** IngestionEndpoint's host name; absent when the string has none (the exporter's global default). */
  host?: string;
  instrumentationKey: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The connection string's meaning, or what is wrong with it (never quoting it: it may hold a key). */
function readConnectionString(cs: string): Parsed<Ingestion> {
  const fields = keyValues(cs);
  const ikey = fields.get('instrumentationkey');
  if (!isInstrumentationKey(ikey)) {
    return { ok: false, problem: 'expected "InstrumentationKey=<lower-case GUID>;IngestionEndpoint=https://…", copied from the Application Insights overview page' };
  }
  const endpoint = fields.get('ingestionendpoint');
  if (!endpoint) return { ok: true, value: { instrumentationKey: ikey } };
  try {
    const url = new URL(endpoint);
    return { ok: true, value: { instrumentationKey: ikey, host: url.hostname, ...(url.protocol === 'http:' ? { plainHttpHost: url.origin } : {}) } };
  } catch {
    return { ok: false, problem: 'IngestionEndpoint is not a valid URL; copy the connection string from the Application Insights overview page' };
  }
}

const AUTH_FORM = '"Authorization=AAD" (system-assigned identity) or "Authorization=AAD;ClientId=<guid>" (user-assigned identity)';

/** The identity the authentication string asks for, or what is wrong with it (never quoting it). */
function readAuthenticationString(auth: string): Parsed<{ clientId?: string }> {
  const fields = keyValues(auth);
  if (fields.get('authorization')?.toLowerCase() !== 'aad') return { ok: false, problem: `expected ${AUTH_FORM}` };
  if ([...fields.keys()].some((k) => k !== 'authorization' && k !== 'clientid')) {
    return { ok: false, problem: `expected only Authorization and ClientId, as ${AUTH_FORM}` };
  }
  const clientId = fields.get('clientid');
  if (clientId === undefined) return { ok: true, value: {} };
  if (!GUID_PATTERN.test(clientId)) return { ok: false, problem: `ClientId must be a GUID, the client ID of the user-assigned identity; expected ${AUTH_FORM}` };
  return { ok: true, value: { clientId } };
}

/** What is wrong with APPLICATIONINSIGHTS_CONNECTION_STRING, or undefined when it is fine. */
export const connectionStringProblem = (cs: string): string | undefined => {
  const read = readConnectionString(cs);
  return read.ok ? undefined : read.problem;
};

/** What is wrong with APPLICATIONINSIGHTS_AUTHENTICATION_STRING, or undefined when it is fine. */
export const authenticationStringProblem = (auth: string): string | undefined => {
  const read = readAuthenticationString(auth);
  return read.ok ? undefined : read.problem;
};

/**
 * Reads APPLICATIONINSIGHTS_CONNECTION_STRING; throws on a malformed one, so a typo fails at start
 * rather than silently dropping every result later. The message never quotes the value.
 */
export function parseConnectionString(cs: string): Ingestion {
  const read = readConnectionString(cs);
  if (!read.ok) throw new Error(`${CONNECTION_STRING}: ${read.problem}`);
  return read.value;
}

/**
 * Reads APPLICATIONINSIGHTS_AUTHENTICATION_STRING ("Authorization=AAD;ClientId=<guid>", the App
 * Service convention): a managed identity to export with, user-assigned when ClientId is given.
 */
export function managedIdentity(auth: string | undefined): { clientId?: string } | undefined {
  if (!auth) return undefined;
  const read = readAuthenticationString(auth);
  if (!read.ok) throw new Error(`${AUTHENTICATION_STRING}: ${read.problem}`);
  return read.value;
}
