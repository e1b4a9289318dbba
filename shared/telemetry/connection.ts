/** Key=value pairs separated by ";" (connection and authentication strings), keys lower-cased. */
function keyValues(text: string): Map<string, string> {
  const pairs = text.split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
    const at = p.indexOf('=');
    return [p.slice(0, at).trim().toLowerCase(), p.slice(at + 1).trim()] as const;
  });
  return new Map(pairs);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Ingestion {
  /**
   * Set when IngestionEndpoint is plain http:// (a local collector). The exporter rewrites such an
   * endpoint to https, so the origin must go in as its `host` override with allowInsecureConnection.
   */
  plainHttpHost?: string;
}

/**
 * Checks APPLICATIONINSIGHTS_CONNECTION_STRING up front, so a typo fails at start rather than
 * silently dropping every result later. The message never quotes the value.
 */
export function parseConnectionString(cs: string): Ingestion {
  const fields = keyValues(cs);
  const ikey = fields.get('instrumentationkey');
  if (!ikey || !GUID.test(ikey)) {
    throw new Error('APPLICATIONINSIGHTS_CONNECTION_STRING: expected "InstrumentationKey=<lower-case GUID>;IngestionEndpoint=https://…", copied from the Application Insights overview page');
  }
  const endpoint = fields.get('ingestionendpoint');
  if (!endpoint?.toLowerCase().startsWith('http://')) return {};
  try {
    return { plainHttpHost: new URL(endpoint).origin };
  } catch {
    throw new Error('APPLICATIONINSIGHTS_CONNECTION_STRING: IngestionEndpoint is not a valid URL');
  }
}

/**
 * Reads APPLICATIONINSIGHTS_AUTHENTICATION_STRING ("Authorization=AAD;ClientId=<guid>", the App
 * Service convention): a managed identity to export with, user-assigned when ClientId is given.
 */
export function managedIdentity(auth: string | undefined): { clientId?: string } | undefined {
  if (!auth) return undefined;
  const fields = keyValues(auth);
  if (fields.get('authorization')?.toLowerCase() !== 'aad') {
    throw new Error('APPLICATIONINSIGHTS_AUTHENTICATION_STRING: expected "Authorization=AAD" or "Authorization=AAD;ClientId=<guid>"');
  }
  const clientId = fields.get('clientid');
  return clientId ? { clientId } : {};
}
