import { ManagedIdentityCredential } from '@azure/identity';
import { azureSqlSuffix, tokenScope } from '../../shared/config';
import { credentialFor, managedIdentityClientId } from '../../shared/probers';
import { secondaryListener } from '../../shared/probers/login';
import { target } from '../helpers/targets';

describe('identities and listeners', () => {
  it('shares one TokenCredential per identity, so its token cache is reused', () => {
    const system = target({ auth: { type: 'managed-identity' } });
    const user = target({ name: 'other', auth: { type: 'managed-identity', clientId: '00000000-0000-0000-0000-000000000001' } });
    expect(credentialFor(system, {})).toBe(credentialFor(target({ name: 'again', auth: { type: 'managed-identity' } }), {}));
    expect(credentialFor(user, {})).not.toBe(credentialFor(system, {}));
    const sp = { type: 'service-principal', tenantId: '00000000-0000-0000-0000-000000000002', clientId: '00000000-0000-0000-0000-000000000003', secretSetting: 'SP_SECRET' } as const;
    const env = { SP_SECRET: 'not-a-real-secret' };
    expect(credentialFor(target({ auth: sp }), env)).toBe(credentialFor(target({ name: 'sp2', auth: sp }), env));
    expect(credentialFor(target({ auth: { type: 'sql', user: 'u', passwordSetting: 'P' } }), {})).toBeUndefined();
  });

  describe("the app's AZURE_CLIENT_ID (the deployed app has only a user-assigned identity)", () => {
    const APP_ID = '00000000-0000-0000-0000-0000000000a1';
    const OWN_ID = '00000000-0000-0000-0000-0000000000b2';
    const env = { AZURE_CLIENT_ID: APP_ID };
    // ManagedIdentityCredential keeps the client id it was built with on the instance (a private
    // field of @azure/identity 4): the identity IMDS is asked for, readable without IMDS.
    const clientIdOf = (c: unknown) => {
      expect(c).toBeInstanceOf(ManagedIdentityCredential);
      return (c as { clientId?: string }).clientId;
    };

    it('is the identity of a managed-identity target without its own clientId', () => {
      const plain = credentialFor(target({ name: 'env-a', auth: { type: 'managed-identity' } }), env);
      expect(clientIdOf(plain)).toBe(APP_ID);
      // The same effective identity, spelled out or from the setting, shares one credential (and its token cache).
      expect(credentialFor(target({ name: 'env-b', auth: { type: 'managed-identity' } }), env)).toBe(plain);
      expect(credentialFor(target({ name: 'env-c', auth: { type: 'managed-identity', clientId: APP_ID } }), {})).toBe(plain);
    });

    it("never overrides a target's own clientId, and without it the system-assigned identity is used", () => {
      const own = credentialFor(target({ name: 'own', auth: { type: 'managed-identity', clientId: OWN_ID } }), env);
      expect(clientIdOf(own)).toBe(OWN_ID);
      const system = credentialFor(target({ name: 'sys', auth: { type: 'managed-identity' } }), {});
      expect(clientIdOf(system)).toBeUndefined();
      expect(new Set([own, system, credentialFor(target({ auth: { type: 'managed-identity' } }), env)]).size).toBe(3);
    });

    it('picks the client id: the target, else the setting, else none', () => {
      expect(managedIdentityClientId({}, env)).toBe(APP_ID);
      expect(managedIdentityClientId({ clientId: OWN_ID }, env)).toBe(OWN_ID);
      expect(managedIdentityClientId({}, {})).toBeUndefined();
      expect(managedIdentityClientId({}, { AZURE_CLIENT_ID: '' })).toBeUndefined();
    });
  });

  it('knows the Azure SQL names, the only ones an ad-hoc token may go to', () => {
    expect(azureSqlSuffix('orders.database.windows.net')).toBe('database.windows.net');
    expect(azureSqlSuffix('mi.public.abc123.database.windows.net.')).toBe('database.windows.net');
    expect(azureSqlSuffix('Orders.Database.ChinaCloudAPI.cn')).toBe('database.chinacloudapi.cn');
    for (const host of ['database.windows.net', 'database.windows.net.evil.example', 'xdatabase.windows.net', 'localhost', '127.0.0.1']) {
      expect(azureSqlSuffix(host)).toBeUndefined();
    }
  });

  it('asks for the Azure SQL resource of the target cloud', () => {
    expect(tokenScope('orders.database.windows.net')).toBe('https://database.windows.net/.default');
    expect(tokenScope('orders.database.usgovcloudapi.net')).toBe('https://database.usgovcloudapi.net/.default');
    expect(tokenScope('orders.database.chinacloudapi.cn')).toBe('https://database.chinacloudapi.cn/.default');
  });

  it('derives the read-only listener of a failover group', () => {
    expect(secondaryListener('fog.database.windows.net')).toBe('fog.secondary.database.windows.net');
  });
});
