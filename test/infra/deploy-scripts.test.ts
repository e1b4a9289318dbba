// The deployment scripts, run for real against a stand-in `az` on PATH that records its arguments
// and answers as the test says: publish-regions retries a new app's 403 until its role assignments
// apply and gives up on anything else; check-regions stops a region without Flex Consumption before
// anything is provisioned.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { regionsFromEnv } from '../../scripts/check-regions';
import { ROOT } from './infra-files';

let dir: string;
const calls = () => (readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n').filter(Boolean));

/**
 * An `az` that appends its arguments to `calls` and answers from FAKE_AZ_ANSWERS: one answer per
 * call, `ok`, `403` or `fail`, the last one repeating. `list-flexconsumption-locations` prints
 * FAKE_AZ_LOCATIONS.
 */
const FAKE_AZ = `#!/bin/sh
echo "$*" >> "$FAKE_AZ_DIR/calls"
case "$*" in *list-flexconsumption-locations*) printf '%s' "$FAKE_AZ_LOCATIONS"; exit 0 ;; esac
n=$(wc -l < "$FAKE_AZ_DIR/calls")
answer=$(echo "$FAKE_AZ_ANSWERS" | tr ',' '\\n' | sed -n "\${n}p")
[ -n "$answer" ] || answer=$(echo "$FAKE_AZ_ANSWERS" | tr ',' '\\n' | tail -n 1)
case "$answer" in
  ok) echo '{"status": "RuntimeSuccessful"}' ;;
  403) echo "ERROR: InaccessibleStorageException: (403) This request is not authorized to perform this operation using this permission. AuthorizationPermissionMismatch" >&2; exit 1 ;;
  *) echo "ERROR: (ResourceNotFound) The Resource 'Microsoft.Web/sites/nope' was not found." >&2; exit 1 ;;
esac
`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlprobe-az-'));
  writeFileSync(join(dir, 'az'), FAKE_AZ);
  chmodSync(join(dir, 'az'), 0o755);
  writeFileSync(join(dir, 'calls'), '');
  writeFileSync(join(dir, 'sqlprobe.zip'), 'a staged package');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[], env: Record<string, string>) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir, FAKE_AZ_DIR: dir, SQLPROBE_PUBLISH_RETRY_SECONDS: '0', ...env },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const publish = (args: string[], env: Record<string, string> = {}) => run('sh', ['scripts/publish-regions.sh', '--package', join(dir, 'sqlprobe.zip'), ...args], env);

describe('publish-regions.sh', () => {
  it('uploads the staged package to every app azd listed, in its subscription, skipping the one asked', () => {
    const r = publish(['--skip', 'func-c'], {
      FAKE_AZ_ANSWERS: 'ok', SQLPROBE_FUNCTION_APP_NAMES: '["func-a","func-b","func-c"]', AZURE_RESOURCE_GROUP: 'rg-probe', AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001',
    });
    expect(r).toMatchObject({ code: 0 });
    expect(calls()).toEqual(['func-a', 'func-b'].map((app) => `functionapp deployment source config-zip --resource-group rg-probe --name ${app} --src ${join(dir, 'sqlprobe.zip')} --subscription 00000000-0000-0000-0000-000000000001`));
  });

  it('retries an upload that storage refuses while role assignments propagate, then goes on', () => {
    const r = publish(['-g', 'rg-probe', 'func-a', 'func-b'], { FAKE_AZ_ANSWERS: '403,403,ok,ok' });
    expect(r.code).toBe(0);
    expect(calls().map((c) => / --name (\S+)/.exec(c)?.[1])).toEqual(['func-a', 'func-a', 'func-a', 'func-b']);
    expect(r.err).toMatch(/func-a: storage access refused \(role assignments can take minutes to apply\); attempt 2 of 6 in 0s/);
    expect(r.err).toMatch(/attempt 3 of 6/);
  });

  it('gives up on a refusal that lasts, saying what to check', () => {
    const r = publish(['-g', 'rg-probe', 'func-a'], { FAKE_AZ_ANSWERS: '403', SQLPROBE_PUBLISH_ATTEMPTS: '3' });
    expect(r.code).toBe(1);
    expect(calls()).toHaveLength(3);
    expect(r.err).toMatch(/func-a: storage access still refused after 3 attempts; check the app identity's Storage Blob Data Owner role/);
  });

  it('does not retry any other failure', () => {
    const r = publish(['-g', 'rg-probe', 'func-a', 'func-b'], { FAKE_AZ_ANSWERS: 'fail' });
    expect(r.code).toBe(1);
    expect(calls()).toHaveLength(1);
    expect(r.err).toMatch(/ResourceNotFound[\s\S]*publish-regions: func-a: upload failed/);
  });

  it('does nothing without apps, and asks for a resource group when it has apps', () => {
    expect(publish([], {})).toMatchObject({ code: 0, out: 'publish-regions: no regional app to publish\n' });
    expect(publish(['func-a'], {})).toMatchObject({ code: 2, err: expect.stringContaining('set --resource-group or AZURE_RESOURCE_GROUP') });
    expect(calls()).toEqual([]);
  });
});

describe('check-regions', () => {
  const LOCATIONS = JSON.stringify([{ name: 'eastus2', displayName: 'East US 2' }, { name: 'westeurope', displayName: 'West Europe' }]);
  const check = (env: Record<string, string>) => run(process.execPath, ['scripts/check-regions.js'], { FAKE_AZ_LOCATIONS: LOCATIONS, ...env });

  it('passes when every region offers Flex Consumption, asking az in the azd subscription', () => {
    const r = check({ SQLPROBE_REGIONS: '[{"location":"eastus2"},{"location":"West Europe"}]', AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001' });
    expect(r).toMatchObject({ code: 0, out: 'check-regions: Flex Consumption is offered in eastus2, westeurope\n' });
    expect(calls()).toEqual(['functionapp list-flexconsumption-locations -o json --subscription 00000000-0000-0000-0000-000000000001']);
  });

  it('stops on a region that does not offer it, listing those that do', () => {
    const r = check({ AZURE_LOCATION: 'brazilsouth' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^check-regions: Flex Consumption is not offered in brazilsouth; pick regions from: eastus2, westeurope\n$/);
  });

  it('says what to install when there is no Azure CLI', () => {
    const r = spawnSync(process.execPath, ['scripts/check-regions.js'], { cwd: ROOT, encoding: 'utf8', env: { PATH: dir.replace(/$/, '-missing'), AZURE_LOCATION: 'eastus2' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the Azure CLI \(az\) is not installed; install it and run `az login`/);
  });

  it('reads the regions the Bicep deploys: SQLPROBE_REGIONS, else AZURE_LOCATION', () => {
    expect(regionsFromEnv({ AZURE_LOCATION: 'eastus2', SQLPROBE_REGIONS: '[]' })).toEqual(['eastus2']);
    expect(regionsFromEnv({ SQLPROBE_REGIONS: '[{"location":"eastus2","subnetId":"/x"},{"location":"eastus2"}]' })).toEqual(['eastus2']);
    expect(() => regionsFromEnv({ SQLPROBE_REGIONS: '["eastus2"]' })).toThrow('SQLPROBE_REGIONS: expected an array of objects with a "location"');
    expect(() => regionsFromEnv({})).toThrow('set AZURE_LOCATION');
  });
});
