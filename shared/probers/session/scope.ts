// No imports: the ad-hoc request check uses these without loading @azure/identity.

/** The DNS suffixes of Azure SQL (Database, Managed Instance, private link) in each cloud; each is also its Entra resource. */
export const AZURE_SQL_SUFFIXES = ['database.windows.net', 'database.usgovcloudapi.net', 'database.chinacloudapi.cn'] as const;

/** The Azure SQL suffix `server` is a name under, or undefined (an IP, or any other host). */
export function azureSqlSuffix(server: string): (typeof AZURE_SQL_SUFFIXES)[number] | undefined {
  const name = server.toLowerCase().replace(/\.$/, '');
  return AZURE_SQL_SUFFIXES.find((suffix) => name.endsWith(`.${suffix}`));
}

/**
 * The Entra resource of Azure SQL in the target's cloud, from its DNS suffix. A configured target
 * under another name (a DNS alias of its own) gets the public cloud's; an ad-hoc server must be
 * under a known suffix before a token is fetched for it (shared/app/adhoc.ts).
 */
export function tokenScope(server: string): string {
  return `https://${azureSqlSuffix(server) ?? 'database.windows.net'}/.default`;
}
