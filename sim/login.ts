import { type Login7, type ServerMessage } from '../shared/tds';
import type { LogicalServer } from './config';
import { loginError } from './errors';
import type { SimRuntime } from './runtime';

export type LoginDecision =
  | { ok: true; server: LogicalServer; database: string; user: string; fedAuth: boolean }
  | { ok: false; server: LogicalServer; error: ServerMessage; reason: string };

/** Authenticates a LOGIN7 the way Azure SQL orders its checks: availability, network rules, credentials, database, limits. */
/** `windowsUser`: the account an NTLM exchange already proved, so no password is checked here. */
export function decideLogin(login: Login7, clientIp: string, rt: SimRuntime, windowsUser?: string): LoginDecision {
  const server = rt.serverByName(login.serverName);
  const fedAuth = login.features.fedAuth !== undefined;
  const database = login.database || server.databases[0];
  const user = windowsUser ?? (fedAuth ? 'token-identified principal' : login.user);
  const ctx = { server: server.name, database, user, clientIp };
  const fail = (number: number, reason: string, state?: number): LoginDecision => {
    const error = loginError(number, ctx);
    return { ok: false, server, error: state === undefined ? error : { ...error, state }, reason };
  };

  if (Date.now() < rt.unavailableUntil) return fail(40613, 'failover in progress');
  for (const rule of server.errors) {
    if (rule.user !== undefined && rule.user !== user) continue;
    if (rule.database !== undefined && rule.database.toLowerCase() !== database.toLowerCase()) continue;
    const served = rt.injected.get(rule) ?? 0;
    if (rule.times !== undefined && served >= rule.times) continue;
    rt.injected.set(rule, served + 1);
    return fail(rule.number, `injected ${rule.number}`);
  }
  if (windowsUser === undefined && fedAuth) {
    const token = login.features.fedAuth?.token;
    if (token === undefined || !server.accessTokens.includes(token)) return fail(18456, 'access token not accepted', 132);
  } else if (windowsUser === undefined) {
    const account = server.logins.find((l) => l.user === login.user);
    if (!account) return fail(18456, `unknown user ${login.user}`, 5);
    if (account.password !== login.password) return fail(18456, `wrong password for ${login.user}`, 8);
  }
  const known = server.databases.find((d) => d.toLowerCase() === database.toLowerCase());
  if (!known) return fail(4060, `unknown database ${database}`);
  const cap = rt.config.maxSessions;
  if (cap !== undefined && rt.loggedInCount() >= cap) return fail(10928, `session cap ${cap} reached`);
  return { ok: true, server, database: known, user, fedAuth };
}
