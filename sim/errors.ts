import { randomUUID } from 'node:crypto';
import type { ServerMessage } from '../shared/tds';

export interface ErrorContext {
  server: string;
  database: string;
  user: string;
  clientIp: string;
}

interface CatalogEntry {
  class: number;
  state: number;
  text: (c: ErrorContext) => string;
}

/** Wording follows what Azure SQL sends, so classifiers and humans see familiar text. */
const CATALOG: Record<number, CatalogEntry> = {
  18456: { class: 14, state: 8, text: (c) => `Login failed for user '${c.user}'.` },
  4060: { class: 11, state: 1, text: (c) => `Cannot open database "${c.database}" requested by the login. The login failed.` },
  40613: {
    class: 17,
    state: 4,
    text: (c) =>
      `Database '${c.database}' on server '${c.server}' is not currently available.  Please retry the connection later.  If the problem persists, contact customer support, and provide them the session tracing ID of '${randomUUID().toUpperCase()}'.`,
  },
  40615: {
    class: 14,
    state: 1,
    text: (c) =>
      `Cannot open server '${c.server}' requested by the login. Client with IP address '${c.clientIp}' is not allowed to access the server.  To enable access, use the Azure Management Portal or run sp_set_firewall_rule on the master database to create a firewall rule for this IP address or address range.  It may take up to five minutes for this change to take effect.`,
  },
  40501: {
    class: 20,
    state: 1,
    text: () => `The service is currently busy. Retry the request after 10 seconds. Incident ID: {${randomUUID().toUpperCase()}}. Code: 4259845.`,
  },
  40532: { class: 11, state: 1, text: (c) => `Cannot open server "${c.server}" requested by the login. The login failed.` },
  47073: {
    class: 14,
    state: 1,
    text: () =>
      'Connection was denied since Deny Public Network Access is set to Yes (https://docs.microsoft.com/azure/azure-sql/database/connectivity-settings#deny-public-network-access). To connect to this server, use the Private Endpoint from inside your virtual network (https://docs.microsoft.com/azure/sql-database/sql-database-private-endpoint-overview#how-to-set-up-private-link-for-azure-sql-database).',
  },
  40914: {
    class: 14,
    state: 1,
    text: (c) => `Cannot open server '${c.server}' requested by the login. Client is not allowed to access the server.`,
  },
  10928: {
    class: 20,
    state: 1,
    text: () =>
      "Resource ID : 1. The request limit for the database is 30 and has been reached. See 'https://docs.microsoft.com/azure/azure-sql/database/resource-limits-logical-server' for assistance.",
  },
  40197: {
    class: 20,
    state: 1,
    text: () => 'The service has encountered an error processing your request. Please try again. Error code 4815.',
  },
  18452: {
    class: 14,
    state: 1,
    text: () => 'Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication.',
  },
};

/** A login error token for `number` in the given context. */
export function loginError(number: number, c: ErrorContext): ServerMessage {
  const e = CATALOG[number];
  if (!e) throw new RangeError(`no catalogue entry for error ${number}`);
  return { kind: 'error', number, state: e.state, class: e.class, message: e.text(c), serverName: c.server, procName: '', lineNumber: 1 };
}

/** A statement error, as the engine reports compile errors (class 15/16, line 1). */
export function sqlError(number: number, message: string, server: string, cls = 16): ServerMessage {
  return { kind: 'error', number, state: 1, class: cls, message, serverName: server, procName: '', lineNumber: 1 };
}

export function info(number: number, message: string, server: string): ServerMessage {
  return { kind: 'info', number, state: 1, class: 0, message, serverName: server, procName: '', lineNumber: 0 };
}
