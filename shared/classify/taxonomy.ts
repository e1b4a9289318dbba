import type { FailureClass } from '../contract';

/**
 * The taxonomy as data: what each failure class means for an operator, which server error numbers
 * and which Node/tedious error codes map onto it. The matching logic lives in classify.ts.
 *
 * Recommendations are templates. Placeholders, filled from the probe's context: {server} {port}
 * {database} {routedHost} {routedPort} {clientIp} {number} {state} {stateMeaning}.
 */

export const DOCS = {
  errors: 'https://learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-errors-issues',
  transient: 'https://learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-connectivity-issues',
  firewall: 'https://learn.microsoft.com/azure/azure-sql/database/firewall-configure',
  architecture: 'https://learn.microsoft.com/azure/azure-sql/database/connectivity-architecture',
  settings: 'https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings',
  privateDns: 'https://learn.microsoft.com/azure/private-link/private-endpoint-dns',
  vnetRules: 'https://learn.microsoft.com/azure/azure-sql/database/vnet-service-endpoint-rule-overview',
  login18456: 'https://learn.microsoft.com/sql/relational-databases/errors-events/mssqlserver-18456-database-engine-error',
  limits: 'https://learn.microsoft.com/azure/azure-sql/database/resource-limits-logical-server',
  encryption: 'https://learn.microsoft.com/sql/database-engine/configure-windows/configure-sql-server-encryption',
  tds8: 'https://learn.microsoft.com/sql/relational-databases/security/networking/tds-8',
  entra: 'https://learn.microsoft.com/azure/azure-sql/database/authentication-aad-configure',
  failoverGroups: 'https://learn.microsoft.com/azure/azure-sql/database/failover-group-sql-db',
  keyVaultRefs: 'https://learn.microsoft.com/azure/app-service/app-service-key-vault-references',
  login18452: 'https://learn.microsoft.com/sql/relational-databases/errors-events/mssqlserver-18452-database-engine-error',
  authMode: 'https://learn.microsoft.com/sql/database-engine/configure-windows/change-server-authentication-mode',
  minimumTls: 'https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings#minimum-tls-version',
  browser: 'https://learn.microsoft.com/sql/database-engine/configure-windows/sql-server-browser-service-database-engine-and-ssas',
  staticPort: 'https://learn.microsoft.com/sql/database-engine/configure-windows/configure-a-server-to-listen-on-a-specific-tcp-port',
  windowsAuth: 'https://github.com/microsoft/CSS_SQL_Networking_Tools/wiki/0010-Specific-Error-Messages-and-What-They-Mean',
} as const;

export interface ClassInfo {
  transient: boolean;
  recommendation: string;
  docsUrl?: string;
}

const TIMEOUT_INFO = (phase: string, what: string): ClassInfo => ({
  transient: true,
  recommendation: `The server accepted the connection to {server}:{port} but did not answer during ${phase}. ${what} If it persists, check the server's health and any proxy or firewall doing deep packet inspection on the path.`,
  docsUrl: DOCS.transient,
});

export const CLASSES: Record<FailureClass, ClassInfo> = {
  'dns-not-found': {
    transient: false,
    recommendation: 'Make sure the server name {server} is spelled correctly and that this machine can resolve it. Failure to resolve the name is almost always a misspelled server name or a client-side DNS problem (custom DNS servers without a forwarder to Azure DNS 168.63.129.16 for privatelink zones).',
    docsUrl: DOCS.privateDns,
  },
  'dns-failed': {
    transient: true,
    recommendation: 'The DNS server did not answer for {server} (SERVFAIL, refused or unreachable). Check the resolver this probe uses and its forwarders; for Private Link, forward database.windows.net to Azure DNS 168.63.129.16.',
    docsUrl: DOCS.privateDns,
  },
  'dns-privatelink-public': {
    transient: false,
    recommendation: '{server} resolves through a privatelink alias but ends at a public address, so traffic bypasses the private endpoint (and fails if public access is denied). Link the privatelink.database.windows.net private DNS zone to this VNet, or forward the zone from your DNS servers to Azure DNS 168.63.129.16.',
    docsUrl: DOCS.privateDns,
  },
  'tcp-refused': {
    transient: false,
    recommendation: 'Nothing accepts connections on {server}:{port}, or a firewall rejects them. Check the port (1433 for SQL Database, 3342 for a Managed Instance public endpoint) and that outbound TCP {port} is allowed from this network.',
    docsUrl: DOCS.architecture,
  },
  'tcp-timeout': {
    transient: true,
    recommendation: 'No answer to the TCP connect to {server}:{port}: packets are being dropped. Allow outbound TCP {port} to the SQL gateway addresses of the region in NSGs, route tables and on-premises firewalls; this is usually a client-side network issue to pursue with your network administrator.',
    docsUrl: DOCS.architecture,
  },
  'tcp-unreachable': {
    transient: false,
    recommendation: 'There is no route from this machine to {server}:{port}. Check the route tables, VPN/ExpressRoute routes and, for a private endpoint, VNet peering.',
    docsUrl: DOCS.architecture,
  },
  'tcp-reset': {
    transient: true,
    recommendation: 'The connection to {server}:{port} was reset before login completed. A firewall, proxy or TLS-inspecting appliance on the path is the usual cause; exempt SQL traffic (TDS on {port}) from inspection. If it happens only occasionally, retry with backoff.',
    docsUrl: DOCS.transient,
  },
  'tls-untrusted': {
    transient: false,
    recommendation: "The server's certificate chain is not trusted by this client. Install the issuing CA on the client or point the target's caFile at it; do not turn on trustServerCertificate for production.",
    docsUrl: DOCS.encryption,
  },
  'tls-hostname-mismatch': {
    transient: false,
    recommendation: "The server's certificate does not name {server}. Connect with the server's real name (for Azure SQL, <server>.database.windows.net, not the privatelink name or an IP), or reissue the certificate with that name in its SANs.",
    docsUrl: DOCS.encryption,
  },
  'tls-expired': {
    transient: false,
    recommendation: "The server's certificate has expired or is not yet valid. Renew the certificate on {server} and check this machine's clock.",
    docsUrl: DOCS.encryption,
  },
  'tls-handshake-failed': {
    transient: false,
    recommendation: 'The TLS handshake with {server}:{port} failed. Check the server\'s minimal TLS version and cipher settings against this client (classic TDS encryption is capped at TLS 1.2), and any TLS-inspecting proxy on the path.',
    docsUrl: DOCS.settings,
  },
  'encryption-not-supported': {
    transient: false,
    recommendation: '{server} does not offer encryption (or TDS 8.0 strict mode) while the probe requires it. Install a certificate and enable encryption on the server, or use encrypt: true instead of "strict" for servers older than SQL Server 2022.',
    docsUrl: DOCS.tds8,
  },
  'login-failed': {
    transient: false,
    recommendation: 'The login was rejected. Check the user name and the password stored in the target\'s password setting, that the login exists on {server} (or as a contained user in {database}) and has CONNECT permission. Many failed logins from one IP can be blocked for a while by DoSGuard.',
    docsUrl: DOCS.login18456,
  },
  'auth-token-failed': {
    transient: true,
    recommendation: 'No Microsoft Entra token could be obtained. For managed identity, check that the identity is assigned to this app (and the clientId for a user-assigned one); for a service principal, check the tenant, client id and secret or certificate; for workload identity, that the federated credential of the identity names this service account; and that login.microsoftonline.com:443 is reachable.',
    docsUrl: DOCS.entra,
  },
  'secret-missing': {
    transient: false,
    recommendation: "The app setting that the target names for its secret is not set, or still holds a Key Vault reference (@Microsoft.KeyVault(...)) that App Service could not resolve, so nothing was sent to the server. For a reference: put the secret in the vault, grant the app's identity Key Vault Secrets User, and check the reference's status under the app's Environment variables. Otherwise add the setting or fix the setting name in the target's auth block.",
    docsUrl: DOCS.keyVaultRefs,
  },
  'db-not-found': {
    transient: true,
    recommendation: 'Database {database} cannot be opened by this login. Check the database name, that it exists on {server} (not paused or being restored), and that the user exists in it. Retry: 4060 is also raised while a database moves.',
    docsUrl: DOCS.errors,
  },
  'db-unavailable': {
    transient: true,
    recommendation: 'Database {database} on {server} is not currently available (reconfiguration, serverless resume or maintenance). Retry after 5 s with backoff up to 60 s; if it lasts more than a few minutes, check Azure Resource Health.',
    docsUrl: DOCS.transient,
  },
  failover: {
    transient: true,
    recommendation: 'The service is failing over or being upgraded. Retry after 5 s with backoff up to 60 s; make sure the application retries transient errors.',
    docsUrl: DOCS.transient,
  },
  throttled: {
    transient: true,
    recommendation: 'The server is at a resource limit (error {number}). Retry after 10 s; if it recurs, reduce concurrent requests or sessions, or scale up the service objective.',
    docsUrl: DOCS.limits,
  },
  'firewall-blocked': {
    transient: false,
    recommendation: 'Client IP {clientIp} is not allowed by the firewall of {server}. Add a server-level firewall rule for it (Azure portal > SQL server > Networking, or EXECUTE sp_set_firewall_rule in master), or connect through a private endpoint. Rules can take up to five minutes to apply.',
    docsUrl: DOCS.firewall,
  },
  'public-access-denied': {
    transient: false,
    recommendation: '{server} denies public network access, and this connection arrived over the public endpoint. Connect through the private endpoint from inside the VNet (check that the name resolves to the private IP), or allow public access with firewall rules.',
    docsUrl: DOCS.settings,
  },
  'vnet-rule-missing': {
    transient: false,
    recommendation: 'This subnet reaches {server} through a Microsoft.Sql service endpoint, but the server has no virtual network rule for it. Add a virtual network rule for the subnet under Networking on the server, or remove the service endpoint from the subnet.',
    docsUrl: DOCS.vnetRules,
  },
  'login-format': {
    transient: false,
    recommendation: 'The gateway could not tell which server the login is for. Connect using the <server>.database.windows.net name (not an IP or the privatelink name); if the login contains "@", append "@<server>" to it; for a Managed Instance public endpoint, check that it is enabled.',
    docsUrl: DOCS.errors,
  },
  'redirect-ports-blocked': {
    transient: false,
    recommendation: 'The gateway redirected this login to {routedHost}:{routedPort}, which is not reachable from here. Under the Redirect policy, allow outbound TCP 11000-11999 to the Azure SQL addresses of the region (1433-65535 through a private endpoint), or set the server\'s connection policy to Proxy.',
    docsUrl: DOCS.architecture,
  },
  'connection-lost': {
    transient: true,
    recommendation: 'An established connection to {server}:{port} was closed by the peer or the path. Retry the operation; if it follows an idle period, keep pooled connections\' idle lifetime under the shortest idle timer on the path (30 minutes for the gateway under Proxy, 4 minutes for a NAT or load balancer without keepalive).',
    docsUrl: DOCS.transient,
  },
  'policy-mismatch': {
    transient: false,
    recommendation: "The connection policy seen from here differs from the target's expect.policy. Check the server's connection policy (Proxy, Redirect or Default, which is Redirect only from inside Azure) or update the target.",
    docsUrl: DOCS.architecture,
  },
  'read-only-mismatch': {
    transient: false,
    recommendation: 'The database answered with a different Updateability than expected. For a failover group, connect read-write to <fog>.database.windows.net and read-only to <fog>.secondary.database.windows.net with ApplicationIntent=ReadOnly; a failover may have swapped the roles.',
    docsUrl: DOCS.failoverGroups,
  },
  'query-failed': {
    transient: false,
    recommendation: "The login worked but the target's query failed (error {number}). Check the query and the user's permissions in {database}.",
    docsUrl: DOCS.errors,
  },
  'timeout-dns': {
    transient: true,
    recommendation: 'Resolving {server} did not finish within the probe deadline. Check the DNS servers this machine uses and their forwarders.',
    docsUrl: DOCS.privateDns,
  },
  'timeout-tcp': {
    transient: true,
    recommendation: 'The TCP connect to {server}:{port} did not finish within the probe deadline. Allow outbound TCP {port} to the SQL gateway addresses in every firewall on the path.',
    docsUrl: DOCS.architecture,
  },
  'timeout-prelogin': TIMEOUT_INFO('PRELOGIN', 'Something on the path accepts TCP but does not speak TDS (a proxy or load balancer), or the gateway is overloaded.'),
  'timeout-tls': TIMEOUT_INFO('the TLS handshake', 'A TLS-inspecting firewall or a strict/classic encryption mismatch are the usual causes.'),
  'timeout-login': TIMEOUT_INFO('login', 'Entra token acquisition, a busy server or a paused serverless database can delay login.'),
  'timeout-reroute': TIMEOUT_INFO('the redirected login to {routedHost}:{routedPort}', 'The node accepted TCP but did not complete the login.'),
  'timeout-initialSql': TIMEOUT_INFO('the session setup after login', 'The server is likely overloaded.'),
  'timeout-query': TIMEOUT_INFO("the target's query", 'Check for blocking or a long-running query; keep the probe query cheap (SELECT 1).'),
  'timeout-idle': TIMEOUT_INFO('the idle check', 'The held connection stopped answering.'),
  'unexpected-server-response': {
    transient: false,
    recommendation: 'Whatever answers on {server}:{port} does not speak TDS as expected. Check that the port is the SQL endpoint and not an HTTP proxy or another service.',
    docsUrl: DOCS.architecture,
  },
  unknown: {
    transient: false,
    recommendation: 'An unexpected failure. If it persists, run the Azure SQL Connectivity Checker from this network and compare.',
    docsUrl: DOCS.errors,
  },
  'server-closed': {
    transient: true,
    recommendation: 'Whatever accepts connections on {server}:{port} closed this one cleanly (a FIN, not a reset) before login completed, without a TDS error. Check that the port is the SQL endpoint, that a load balancer or proxy in front of it has healthy backends, and that the server is not at its connection limit or shutting down.',
    docsUrl: DOCS.architecture,
  },
  'windows-auth-required': {
    transient: false,
    recommendation: "{server} refused the login with error 18452: it takes the login for a Windows login from an untrusted domain, or accepts Windows authentication only. This target logs in with SQL authentication or Microsoft Entra: on SQL Server, switch the server to mixed mode (SQL Server and Windows Authentication) and restart it, check that the SQL login exists and use a plain login name, not DOMAIN\\user; or give the target auth type ntlm with a domain account. Azure SQL has no Windows authentication: use a SQL login or an Entra identity.",
    docsUrl: DOCS.login18452,
  },
  'ca-file-unreadable': {
    transient: false,
    recommendation: "The target's caFile cannot be read on this host (missing, unreadable, not a regular file or over 1 MiB), so the server's certificate could not be checked and nothing was sent after PRELOGIN. Deploy the PEM file with the app and point caFile at it; the configuration is checked when it loads, so this means the file went away since.",
    docsUrl: DOCS.encryption,
  },
  'timeout-browser': {
    transient: true,
    recommendation: 'The probe deadline passed while asking the SQL Server Browser of {server} (UDP) for the instance port. Check that UDP 1434 reaches {server} from here, or give the target a fixed port instead of instanceName.',
    docsUrl: DOCS.browser,
  },
  'timeout-tlsAudit': TIMEOUT_INFO('the TLS version audit', 'A server or TLS-inspecting device that drops handshakes for old TLS versions instead of refusing them slows the audit; the audit gives each version at most half the probe timeout.'),
  'tls-below-minimum': {
    transient: false,
    recommendation: "{server} still accepts a TLS version below the target's expect.minTls. Azure SQL Database and Managed Instance: set Minimum TLS version under Networking > Connectivity (az sql server update --minimal-tls-version 1.2). SQL Server on Windows: turn the old protocols off in the SCHANNEL registry keys (HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Server, Enabled=0) and restart; on Linux: mssql-conf set network.tlsprotocols 1.2. Check first that every client supports the new floor.",
    docsUrl: DOCS.minimumTls,
  },
  'browser-unreachable': {
    transient: false,
    recommendation: 'The SQL Server Browser on {server} did not answer on UDP (1434 for drivers): the SQL Server Browser service is stopped, or a firewall drops UDP 1434. Start the service and allow inbound UDP 1434 on the server and every firewall on the path, or give the instance a fixed TCP port and connect with it (drivers skip the Browser when a port is given).',
    docsUrl: DOCS.browser,
  },
  'instance-not-found': {
    transient: false,
    recommendation: "The SQL Server Browser on {server} answered, but not with the target's instance over TCP. Check the instanceName spelling against the instances it lists (in the message), that the instance is running, and that TCP/IP is enabled for it in SQL Server Configuration Manager.",
    docsUrl: DOCS.browser,
  },
  'instance-port-closed': {
    transient: false,
    recommendation: 'The SQL Server Browser named port {port} for the instance, but TCP {port} on {server} is not reachable: the instance stopped, or a firewall allows UDP 1434 but not the instance\'s (dynamic) port. Give the instance a fixed port and allow it through the firewalls, or start the instance.',
    docsUrl: DOCS.staticPort,
  },
  'login-untrusted-domain': {
    transient: false,
    recommendation: "Error 18452: the server would not accept this Windows login. The login's domain is not the server's domain (the message names both): Windows authentication needs a trust between them, so log in with an account of the server's domain or set up the trust. With a trust in place, the other cause is the same as a wrong domain password: check the password in the target's password setting and the account in Active Directory.",
    docsUrl: DOCS.windowsAuth,
  },
  'login-domain-password': {
    transient: false,
    recommendation: "Error 18452 from the server's own domain: its domain controller rejected the credentials (the server's error log shows SSPI handshake failed with 0x8009030c, the logon attempt failed). Check the password in the target's password setting, and that the account is neither locked out, disabled nor expired in Active Directory. Every probe with a wrong password counts toward the lockout threshold.",
    docsUrl: DOCS.windowsAuth,
  },
  'dns-resolver-split': {
    transient: false,
    recommendation: "Resolvers disagree about {server} (the result's dns.compare shows each answer): typically a private endpoint whose privatelink zone only some resolvers know, so clients of the others go to the public address or get no answer. Link the privatelink.database.windows.net private DNS zone to every VNet that connects, and forward database.windows.net from on-premises DNS servers to Azure DNS through a DNS private resolver inbound endpoint (168.63.129.16 inside Azure).",
    docsUrl: DOCS.privateDns,
  },
  'query-unexpected-result': {
    transient: false,
    recommendation: "The login and the query worked, but the query's answer is not what the target's expect.result asks for (the message shows the value and the expectation). Look at what the query measures in {database} (replication lag, last backup age, a state), or fix the expectation.",
  },
};

/** Server error numbers (ERROR token) by meaning. */
export const SERVER_ERRORS: readonly { numbers: readonly number[]; class: FailureClass }[] = [
  { numbers: [18456], class: 'login-failed' },
  { numbers: [4060], class: 'db-not-found' },
  { numbers: [40613], class: 'db-unavailable' },
  { numbers: [40197], class: 'failover' },
  { numbers: [40501, 10928, 10929, 49918, 49919, 49920], class: 'throttled' },
  { numbers: [40615], class: 'firewall-blocked' },
  { numbers: [47073], class: 'public-access-denied' },
  { numbers: [40914], class: 'vnet-rule-missing' },
  { numbers: [40532], class: 'login-format' },
  { numbers: [10053, 10054], class: 'connection-lost' },
  { numbers: [10060], class: 'tcp-timeout' },
  { numbers: [18452], class: 'windows-auth-required' },
];

/** What each state of error 18456 means (Azure SQL reports the real state; on-premises shows 1). */
export const LOGIN_STATES: readonly { states: readonly number[]; meaning: string }[] = [
  { states: [1], meaning: 'no detail (the server hides the reason)' },
  { states: [2, 5], meaning: 'the login (user name) does not exist' },
  { states: [6], meaning: 'a Windows login name was used with SQL authentication' },
  { states: [7], meaning: 'the login is disabled' },
  { states: [8, 9], meaning: 'the password is wrong' },
  { states: [18], meaning: 'the password must be changed' },
  { states: [38, 46], meaning: 'the database requested by the login cannot be opened (missing, or no user in it)' },
  { states: [58], meaning: 'SQL authentication is not allowed on this server (Entra-only)' },
  { states: [102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 132, 133], meaning: 'Microsoft Entra authentication failed (token audience, tenant or principal not known to the database)' },
];

/**
 * Node and tedious error codes, most specific first: a certificate code in an ESOCKET error's cause
 * must win over the ESOCKET itself. Codes map per phase group where the meaning differs.
 */
export const ERROR_CODES: readonly { codes: readonly string[]; class: FailureClass }[] = [
  { codes: ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'], class: 'tls-expired' },
  { codes: ['ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_CERT_ALTNAME_FORMAT'], class: 'tls-hostname-mismatch' },
  {
    codes: ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_CHAIN_TOO_LONG', 'CERT_SIGNATURE_FAILURE', 'CERT_REJECTED'],
    class: 'tls-untrusted',
  },
  { codes: ['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA', 'NXDOMAIN'], class: 'dns-not-found' },
  { codes: ['ESERVFAIL', 'EREFUSED', 'EAI_AGAIN', 'EBADRESP', 'EFORMERR'], class: 'dns-failed' },
  { codes: ['ECONNREFUSED'], class: 'tcp-refused' },
  { codes: ['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL'], class: 'tcp-unreachable' },
  { codes: ['ECONNRESET', 'EPIPE', 'ECONNABORTED'], class: 'tcp-reset' },
  { codes: ['EENCRYPT', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_NO_APPLICATION_PROTOCOL'], class: 'encryption-not-supported' },
  { codes: ['EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'], class: 'tls-handshake-failed' },
  { codes: ['EFEDAUTH', 'CredentialUnavailableError', 'AuthenticationError'], class: 'auth-token-failed' },
  { codes: ['ETDS', 'EINTERFACENOTSUPP', 'TdsDecodeError'], class: 'unexpected-server-response' },
  { codes: ['ConfigError'], class: 'secret-missing' },
  { codes: ['ELOGIN'], class: 'login-failed' },
  // A PRELOGIN whose option offsets point past the message makes tedious read out of bounds.
  { codes: ['ERR_OUT_OF_RANGE', 'ERR_BUFFER_OUT_OF_BOUNDS'], class: 'unexpected-server-response' },
  { codes: ['ECAFILE'], class: 'ca-file-unreadable' },
];
