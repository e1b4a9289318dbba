// azure.yaml works with azd on every OS and deploys one package everywhere: every hook has a posix
// (sh) and a windows (pwsh) form that run the same script, azd packages the staged directory as is,
// and the pre-deploy hook publishes that same staged package to every region. PowerShell is not
// installable here, so the Windows script is checked against the POSIX one line by line.
import { parse } from 'yaml';
import { readRepoFile } from './infra-files';

interface Hook {
  shell?: string;
  run?: string;
}
interface HookConfig extends Hook {
  posix?: Hook;
  windows?: Hook;
}
interface AzureYaml {
  services: Record<string, { project: string; language: string; host: string; dist?: string; remoteBuild?: boolean; hooks?: Record<string, HookConfig> }>;
  hooks?: Record<string, HookConfig>;
}

const azd = parse(readRepoFile('azure.yaml')) as AzureYaml;
const probes = azd.services.probes;
const allHooks: [string, HookConfig][] = [
  ...Object.entries(azd.hooks ?? {}).map(([name, h]): [string, HookConfig] => [name, h]),
  ...Object.entries(probes.hooks ?? {}).map(([name, h]): [string, HookConfig] => [`probes.${name}`, h]),
];

/** A hook's command with each platform's spelling of the same thing made equal. */
const sameCommand = (run: string) => run.replace(/^(sh |\.\/)/, '').replace(/\.(sh|ps1)\b/, '.*').replace(/ -Package /, ' --package ');

describe('azure.yaml', () => {
  it('declares the probes service as a TypeScript function app at the project root', () => {
    expect(probes).toMatchObject({ project: '.', language: 'ts', host: 'function' });
    expect(readRepoFile('infra/app/probe-region.bicep')).toContain("'azd-service-name': 'probes'");
  });

  it('has the hooks that stage, check regions and publish', () => {
    expect(allHooks.map(([name]) => name).sort()).toEqual(['preprovision', 'probes.predeploy', 'probes.prepackage']);
  });

  it.each(allHooks)('%s runs on Linux, macOS and Windows alike', (_name, hook) => {
    // azd on Windows uses the windows form and stops with "'run' is required" when it has none.
    expect(hook.posix).toMatchObject({ shell: 'sh', run: expect.any(String) });
    expect(hook.windows).toMatchObject({ shell: 'pwsh', run: expect.any(String) });
    expect(sameCommand(hook.windows!.run!)).toBe(sameCommand(hook.posix!.run!));
  });

  it('deploys the staged package as is: no remote build, no local node_modules', () => {
    expect(probes.dist).toBe('.deploy/package');
    expect(probes.remoteBuild).toBe(false);
    expect(probes.hooks?.prepackage.posix?.run).toBe('node scripts/stage-package.js');
    // stage-package.js writes <out>/package and <out>/sqlprobe.zip, <out> being .deploy by default.
    const stage = readRepoFile('scripts/stage-package.js');
    expect(stage).toContain("path.join(out, 'package')");
    expect(stage).toContain("path.join(out, 'sqlprobe.zip')");
    expect(stage).toContain("out = path.join(ROOT, '.deploy')");
    expect(readRepoFile('.gitignore').split('\n')).toContain('.deploy/');
  });

  it('publishes the same staged package to every region before azd uploads its own copy', () => {
    expect(probes.hooks?.predeploy.posix?.run).toBe('sh scripts/publish-regions.sh --package .deploy/sqlprobe.zip');
    expect(probes.hooks?.predeploy.windows?.run).toBe('./scripts/publish-regions.ps1 -Package .deploy/sqlprobe.zip');
  });

  it('checks the regions before provisioning', () => {
    expect(azd.hooks?.preprovision.posix?.run).toBe('node scripts/check-regions.js');
  });
});

describe('publish-regions.ps1 does what publish-regions.sh does', () => {
  const sh = readRepoFile('scripts/publish-regions.sh');
  const ps1 = readRepoFile('scripts/publish-regions.ps1');
  const envVars = (text: string, re: RegExp) => [...new Set([...text.matchAll(re)].map((m) => m[1]))].sort();

  it('reads the same environment', () => {
    expect(envVars(ps1, /\$env:([A-Z_]+)/g)).toEqual(envVars(sh, /\$\{?([A-Z][A-Z_]+)[}:-]/g));
    expect(envVars(ps1, /process\.env\.([A-Z_]+)/g)).toEqual(envVars(sh, /process\.env\.([A-Z_]+)/g));
  });

  it('takes the same options', () => {
    const shOptions = [...sh.matchAll(/^ {4}--([a-z-]+)(?:\|-\w)?\) /gm)].map((m) => m[1]);
    const psOptions = [...ps1.matchAll(/\[string\]\$(\w+) =/g)].map((m) => m[1].replace(/[A-Z]/g, (c, i: number) => `${i ? '-' : ''}${c.toLowerCase()}`));
    expect(psOptions).toEqual(shOptions);
    expect(ps1).toMatch(/\[Alias\('g'\)\]\[string\]\$ResourceGroup = \$env:AZURE_RESOURCE_GROUP/);
    expect(ps1).toMatch(/\[Parameter\(ValueFromRemainingArguments = \$true\)\]\[string\[\]\]\$Apps/);
  });

  it('stages with the same script and uploads with the same command', () => {
    expect(sh).toContain('node "$root/scripts/stage-package.js"');
    expect(ps1).toContain("node (Join-Path $root 'scripts/stage-package.js')");
    expect(sh).toContain('package="$root/.deploy/sqlprobe.zip"');
    expect(ps1).toContain("$Package = Join-Path $root '.deploy/sqlprobe.zip'");
    const upload = (text: string) => /az functionapp deployment source config-zip --resource-group \S+ --name \S+ --src \S+/.exec(text)?.[0].replace(/[$"]/g, '').toLowerCase();
    expect(upload(ps1)).toBe('az functionapp deployment source config-zip --resource-group resourcegroup --name app --src package');
    expect(upload(sh)).toBe('az functionapp deployment source config-zip --resource-group rg --name app --src package');
    expect(ps1).toContain("@('--subscription', $env:AZURE_SUBSCRIPTION_ID)");
    expect(sh).toContain('${AZURE_SUBSCRIPTION_ID:+--subscription "$AZURE_SUBSCRIPTION_ID"}');
  });

  it('retries the same failures, as often and as long', () => {
    const pattern = (text: string) => /'(403\|Forbidden[^']*)'/.exec(text)?.[1];
    expect(pattern(ps1)).toBe(pattern(sh));
    expect(sh).toMatch(/attempts="\$\{SQLPROBE_PUBLISH_ATTEMPTS:-6\}"/);
    expect(ps1).toMatch(/\[int\]\$env:SQLPROBE_PUBLISH_ATTEMPTS \} else \{ 6 \}/);
    expect(sh).toMatch(/first_delay="\$\{SQLPROBE_PUBLISH_RETRY_SECONDS:-20\}"/);
    expect(ps1).toMatch(/\[int\]\$env:SQLPROBE_PUBLISH_RETRY_SECONDS \} else \{ 20 \}/);
    expect(sh).toMatch(/delay=\$\(\(delay \* 2\)\)/);
    expect(ps1).toMatch(/\$delay \*= 2/);
  });

  it('says the same things', () => {
    const messages = (text: string) => [...text.matchAll(/publish-regions: (?:\$\{?app\}?: )?([a-z][^"'$]*)/g)].map((m) => m[1].trim()).sort();
    expect(messages(ps1.replace(/-ResourceGroup/g, '--resource-group'))).toEqual(messages(sh));
  });
});
