// Every setting sqlprobe reads is either set by the Bicep or documented as optional for operators.
import { SETTING_NAMES } from '../../shared/config';
import { infraFiles, readRepoFile, settingsInSection } from './infra-files';

const bicep = infraFiles('.bicep').map((f) => f.text).join('\n');
const optional = settingsInSection(readRepoFile('docs/deploy.md'), '## Optional app settings');
/** A key in a Bicep object literal: NAME: value or 'NAME': value. */
const setInBicep = (name: string) => new RegExp(`^\\s*'?${name}'?\\s*:`, 'm').test(bicep);

describe('app settings', () => {
  it.each(SETTING_NAMES)('%s is set in infra/ or listed as optional in docs/deploy.md', (name) => {
    expect(setInBicep(name) || optional.includes(name)).toBe(true);
  });

  it('documents only real settings as optional, and none that the Bicep already sets', () => {
    expect(optional.length).toBeGreaterThan(0);
    expect(optional.filter((n) => !(SETTING_NAMES as string[]).includes(n))).toEqual([]);
    expect(optional.filter(setInBicep)).toEqual([]);
  });

  it('uses identity-based host storage and Entra ingestion, never a key', () => {
    for (const key of ['AzureWebJobsStorage__accountName', 'AzureWebJobsStorage__credential', 'AzureWebJobsStorage__clientId']) expect(setInBicep(key)).toBe(true);
    expect(bicep).toMatch(/APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=\$\{/);
    expect(bicep).toMatch(/allowSharedKeyAccess: false/);
    expect(bicep).toMatch(/DisableLocalAuth: true/);
    expect(bicep).not.toMatch(/AccountKey=|listKeys\(/);
  });

  it('turns every secret a target names into a Key Vault reference', () => {
    const main = readRepoFile('infra/main.bicep');
    expect(main).toContain("'@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${secretName(s)}/)'");
    // passwordSetting, secretSetting and tokenSetting: every auth field that names a setting.
    expect(main).toMatch(/endsWith\(e\.key, 'Setting'\)/);
  });
});
