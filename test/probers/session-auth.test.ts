import { credentialFor, tokenScope } from '../../shared/probers/session/auth';
import { secondaryListener } from '../../shared/probers/login';
import { target } from './fixtures';

describe('identities and listeners', () => {
  it('shares one TokenCredential per identity, so its token cache is reused', () => {
    const system = target({ auth: { type: 'managed-identity' } });
    const user = target({ name: 'other', auth: { type: 'managed-identity', clientId: '00000000-0000-0000-0000-000000000001' } });
    expect(credentialFor(system)).toBe(credentialFor(target({ name: 'again', auth: { type: 'managed-identity' } })));
    expect(credentialFor(user)).not.toBe(credentialFor(system));
    const sp = { type: 'service-principal', tenantId: '00000000-0000-0000-0000-000000000002', clientId: '00000000-0000-0000-0000-000000000003', secretSetting: 'SP_SECRET' } as const;
    const env = { SP_SECRET: 'not-a-real-secret' };
    expect(credentialFor(target({ auth: sp }), env)).toBe(credentialFor(target({ name: 'sp2', auth: sp }), env));
    expect(credentialFor(target({ auth: { type: 'sql', user: 'u', passwordSetting: 'P' } }))).toBeUndefined();
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
