import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ManagedIdentityCredential } from '@azure/identity';
import { authenticationStringProblem, connectionStringProblem, managedIdentity, parseConnectionString } from '../../shared/config/app-insights';
import type { TelemetrySettings } from '../../shared/telemetry';
import * as names from '../../shared/telemetry/names';
import { availabilityMessage, toTimeSpan } from '../../shared/telemetry/availability';
import { AzureTelemetry } from '../../shared/telemetry/azure';
import { defaultStorageDirectory, distroOptions } from '../../shared/telemetry/distro-options';
import { fixOfflineReplay } from '../../shared/telemetry/exporter-workarounds';
import { loginFailure } from '../helpers/results';
import { telemetrySettings } from './settings';

const IKEY = '00000000-0000-4000-8000-000000000001';
const settings = (over: Partial<TelemetrySettings> = {}): TelemetrySettings =>
  telemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`, ...over });

test.each([
  [0, '00:00:00.000'],
  [312.4, '00:00:00.312'],
  [1840, '00:00:01.840'],
  [31 * 60_000 + 5_250, '00:31:05.250'],
  [26 * 3_600_000 + 1, '1.02:00:00.001'],
])('%p ms is the TimeSpan %p', (ms, text) => {
  expect(toTimeSpan(ms)).toBe(text);
});

test('the availability message is the class and the first line of the error, capped', () => {
  const r = loginFailure();
  expect(availabilityMessage(r)).toMatch(/^firewall-blocked: Cannot open server 'billing-sql'.*access the server\.$/);
  expect(availabilityMessage({ ...r, error: { ...r.error!, message: 'x'.repeat(500) } })).toHaveLength('firewall-blocked: '.length + 200);
});

describe('connection and authentication strings', () => {
  test('an https endpoint needs no override; a plain http one gives its origin as the host', () => {
    expect(parseConnectionString(settings().APPLICATIONINSIGHTS_CONNECTION_STRING!)).toEqual({ instrumentationKey: IKEY, host: 'westeurope-5.in.applicationinsights.azure.com' });
    expect(parseConnectionString(`InstrumentationKey=${IKEY};IngestionEndpoint=http://127.0.0.1:4318/ingest/`)).toEqual({ instrumentationKey: IKEY, host: '127.0.0.1', plainHttpHost: 'http://127.0.0.1:4318' });
    expect(parseConnectionString(`InstrumentationKey=${IKEY}`)).toEqual({ instrumentationKey: IKEY });
    expect(() => parseConnectionString(`InstrumentationKey=${IKEY};IngestionEndpoint=https://`)).toThrow(/IngestionEndpoint is not a valid URL/);
  });

  test('a malformed connection string fails without quoting it', () => {
    const bad = 'InstrumentationKey=not-a-guid-Secr3t';
    expect(() => parseConnectionString(bad)).toThrow(/APPLICATIONINSIGHTS_CONNECTION_STRING: expected/);
    expect(() => parseConnectionString(bad)).not.toThrow(/Secr3t/);
  });

  test('Authorization=AAD asks for a managed identity, user-assigned with ClientId', () => {
    expect(managedIdentity(undefined)).toBeUndefined();
    expect(managedIdentity('Authorization=AAD')).toEqual({});
    expect(managedIdentity('Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555')).toEqual({ clientId: '11111111-2222-3333-4444-555555555555' });
    expect(() => managedIdentity('Authorization=ikey')).toThrow(/APPLICATIONINSIGHTS_AUTHENTICATION_STRING/);
  });

  test('the settings schema and the exporter share these parsers: ClientId must be a GUID, and only known keys', () => {
    expect(authenticationStringProblem('Authorization=aad;clientid=11111111-2222-3333-4444-555555555555')).toBeUndefined();
    expect(authenticationStringProblem('Authorization=AAD;ClientId=probe')).toMatch(/^ClientId must be a GUID/);
    expect(() => managedIdentity('Authorization=AAD;ClientId=probe')).toThrow(/^APPLICATIONINSIGHTS_AUTHENTICATION_STRING: ClientId must be a GUID/);
    expect(authenticationStringProblem('Authorization=AAD;Cliend=11111111-2222-3333-4444-555555555555')).toMatch(/^expected only Authorization and ClientId/);
    expect(connectionStringProblem(settings().APPLICATIONINSIGHTS_CONNECTION_STRING!)).toBeUndefined();
    expect(connectionStringProblem('InstrumentationKey=x')).toMatch(/^expected "InstrumentationKey=/);
  });
});

describe('a failed start', () => {
  test('flush answers false: the results held for it were dropped, not sent', async () => {
    // Settings that bypassed loadConfig: the exporter cannot start with this authentication string.
    const warnings: string[] = [];
    const telemetry = new AzureTelemetry(settings({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=ikey' }), (text) => warnings.push(text));
    telemetry.record(loginFailure());
    expect(await telemetry.flush(5000)).toBe(false);
    expect(await telemetry.flush(5000)).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/^telemetry: Azure Monitor could not start \(APPLICATIONINSIGHTS_AUTHENTICATION_STRING: expected .*\); 1 results dropped$/)]);
    expect(await telemetry.shutdown(5000)).toBe(true);
  });
});

describe('distro options', () => {
  const warnings: string[] = [];
  const warn = (text: string) => warnings.push(text);

  test('sampling off, live metrics off by default, offline storage under the temp dir', async () => {
    const o = await distroOptions(settings(), warn);
    expect(o).toMatchObject({ samplingRatio: 1, tracesPerSecond: 0, enableLiveMetrics: false, enableStandardMetrics: false, enablePerformanceCounters: false });
    expect(o.azureMonitorExporterOptions).toMatchObject({ storageDirectory: defaultStorageDirectory(), credential: undefined });
    expect(defaultStorageDirectory().startsWith(tmpdir())).toBe(true);
    expect(o.azureMonitorExporterOptions).not.toHaveProperty('host');
    expect(Object.values(o.instrumentationOptions ?? {}).every((i) => i?.enabled === false)).toBe(true);
  });

  test('settings turn on live metrics, move offline storage and add a managed identity', async () => {
    const o = await distroOptions(settings({ SQLPROBE_LIVE_METRICS: true, SQLPROBE_OFFLINE_STORAGE_DIR: '/home/data/telemetry', APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555' }), warn);
    expect(o.enableLiveMetrics).toBe(true);
    expect(o.azureMonitorExporterOptions?.storageDirectory).toBe('/home/data/telemetry');
    expect(o.azureMonitorExporterOptions?.credential).toBeInstanceOf(ManagedIdentityCredential);
  });

  test('a plain http endpoint goes in as the host override, without a token', async () => {
    warnings.length = 0;
    const o = await distroOptions(settings({ APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=http://127.0.0.1:4318`, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' }), warn);
    expect(o.azureMonitorExporterOptions).toMatchObject({ host: 'http://127.0.0.1:4318', allowInsecureConnection: true, credential: undefined });
    expect(warnings).toEqual([expect.stringMatching(/AUTHENTICATION_STRING is ignored/)]);
  });
});

describe('offline storage replay', () => {
  const exporterDir = dirname(require.resolve('@azure/monitor-opentelemetry-exporter'));
  const envelope = () => ({ name: 'Microsoft.ApplicationInsights.Availability', time: new Date(), version: 1, instrumentationKey: IKEY, data: { baseType: 'AvailabilityData', baseData: { kind: 'AvailabilityData', id: 'a', name: 'orders/login', duration: '00:00:01.000', success: true, version: 2 } } });

  test('canary: the pinned exporter still cannot serialize a persisted envelope (drop fixOfflineReplay when this fails)', async () => {
    await import('@azure/monitor-opentelemetry-exporter');
    const { telemetryItemArraySerializer } = (await import(join(exporterDir, 'generated/models/models.js'))) as { telemetryItemArraySerializer: (items: unknown[]) => unknown };
    expect(() => telemetryItemArraySerializer(JSON.parse(JSON.stringify([envelope()])))).toThrow(/toISOString/);
  });

  test('with the fix, envelopes read back from disk have Date times again', async () => {
    await fixOfflineReplay((text) => { throw new Error(text); });
    const { FileSystemPersist } = (await import(join(exporterDir, 'platform/nodejs/persist/fileSystemPersist.js'))) as {
      FileSystemPersist: new (ikey: string, options: object) => { push(e: unknown[]): Promise<boolean>; shift(): Promise<{ time: unknown }[] | null> };
    };
    const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-persist-'));
    try {
      const persist = new FileSystemPersist(IKEY, { storageDirectory: dir });
      const sent = envelope();
      expect(await persist.push([sent])).toBe(true);
      const [back] = (await persist.shift()) ?? [];
      expect(back.time).toEqual(sent.time);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('docs/telemetry.md names every metric, event, dimension and attribute', () => {
  const doc = readFileSync(join(__dirname, '../../docs/telemetry.md'), 'utf8');
  const values = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(values) : []);
  const missing = values(names).filter((name) => !doc.includes(`\`${name}\``));
  expect(missing).toEqual([]);
});
