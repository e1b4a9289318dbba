// Until App Service resolves a Key Vault reference, the app setting holds the reference text itself.
// The login probe must never send that as a password: it reports secret-missing with a Key Vault
// message and the server never sees a login. The simulator here would even accept the reference as a
// password, so a probe that sent it would succeed instead.
import { ConfigError, readSecret } from '../../shared/config';
import { PROBERS } from '../../shared/probers';
import type { SimEvent, Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { startSim } from '../helpers/sim';
import { target } from '../helpers/targets';
import { checked, deadline, options } from './fixtures';

const REFERENCE = '@Microsoft.KeyVault(SecretUri=https://kv-test.vault.azure.net/secrets/ORDERS-DB-PASSWORD/)';

let certs: TestCerts;
let sim: Simulator;
const events: SimEvent[] = [];

beforeAll(async () => {
  certs = createTestCerts();
  sim = await startSim({
    tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile },
    encrypt: 'on',
    servers: [{ logins: [{ user: 'probe', password: REFERENCE }], databases: ['orders'] }],
  });
  sim.events.on('event', (e: SimEvent) => events.push(e));
});

afterAll(async () => {
  await sim?.stop();
  certs?.cleanup();
});

const loginTarget = () => target({ server: 'localhost', port: sim.gatewayPort, caFile: certs.caFile, auth: { type: 'sql', user: 'probe', passwordSetting: 'ORDERS_DB_PASSWORD' } });

it('reports an unresolved Key Vault reference as secret-missing and never logs in with it', async () => {
  events.length = 0;
  const result = checked(await PROBERS.login!(loginTarget(), options({ env: { ORDERS_DB_PASSWORD: REFERENCE } }), deadline()));
  expect(result).toMatchObject({ success: false, error: { class: 'secret-missing', phase: 'login', transient: false } });
  expect(result.error?.message).toMatch(/ORDERS_DB_PASSWORD holds a Key Vault reference that App Service has not resolved/);
  expect(result.error?.recommendation).toMatch(/Key Vault reference/);
  // The reference names the vault; it is not repeated in the result.
  expect(JSON.stringify(result)).not.toContain('kv-test.vault.azure.net');
  // The server saw no login attempt at all: no password, resolved or not, reached it.
  expect(events.filter((e) => e.kind === 'login' || e.kind === 'login-failed')).toEqual([]);
});

it('sends a resolved value, and the simulator logs that login (so the check above would see one)', async () => {
  // Same simulator and target: only the setting's value changed, as when App Service resolves it.
  events.length = 0;
  const result = checked(await PROBERS.login!(loginTarget(), options({ env: { ORDERS_DB_PASSWORD: 'resolved-secret' } }), deadline()));
  expect(result.error?.class).toBe('login-failed');
  expect(events.filter((e) => e.kind === 'login-failed')).toHaveLength(1);
});

it('recognises both reference forms, with any spacing and casing App Service accepts', () => {
  for (const value of [REFERENCE, ' @Microsoft.KeyVault(VaultName=kv-test;SecretName=ORDERS-DB-PASSWORD)', '@microsoft.keyvault(SecretUri=https://kv-test.vault.azure.net/secrets/x/)']) {
    expect(() => readSecret('ORDERS_DB_PASSWORD', { ORDERS_DB_PASSWORD: value })).toThrow(ConfigError);
  }
  // A password that merely mentions Key Vault is a password.
  expect(readSecret('ORDERS_DB_PASSWORD', { ORDERS_DB_PASSWORD: 'p@Microsoft.KeyVault(' })).toBe('p@Microsoft.KeyVault(');
});
