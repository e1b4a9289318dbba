import type * as Tedious from 'tedious';

export interface TediousLogin {
  server: string;
  port: number;
  user: string;
  password: string;
  ca: Buffer;
  /** The name the certificate is checked against, when `server` is an address. */
  serverName?: string;
}

/**
 * Raw tedious, the peer the benches measure sqlprobe against: one login, `SELECT 1`, close. tedious
 * loads at the first call, so a cold start that times the call counts loading it too.
 */
export function tediousSelectOne(login: TediousLogin): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Connection, Request } = require('tedious') as typeof Tedious;
  return new Promise((resolve, reject) => {
    const c = new Connection({
      server: login.server,
      authentication: { type: 'default', options: { userName: login.user, password: login.password } },
      options: {
        port: login.port, database: 'orders', encrypt: true, cryptoCredentialsDetails: { ca: login.ca }, maxRetriesOnTransientErrors: 0,
        ...(login.serverName ? { serverName: login.serverName } : {}),
      },
    });
    c.on('error', () => undefined);
    c.connect((err) => {
      if (err) return reject(err);
      c.execSqlBatch(new Request('SELECT 1', (e) => {
        c.once('end', () => (e ? reject(e) : resolve()));
        c.close();
      }));
    });
  });
}
