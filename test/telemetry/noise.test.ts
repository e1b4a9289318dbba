import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppRuntime, connectivityRound, idleTick, listTargets, type Log, runtimeFromEnv } from '../../shared/app';
import { loadConfig } from '../../shared/config';
import type { IdleRegistry } from '../../shared/idle';
import { EVENTS, METRICS, PHASE_EVENT } from '../../shared/telemetry';
import { exporterSwitches } from '../../shared/telemetry/quiet';
import type { Simulator } from '../../sim';
import { cleanupCerts, SIM_PASSWORD, SIM_USER, simCerts, startTlsSim } from '../helpers/sim';
import { type Azurite, startAzurite } from '../state/azurite';
import { FakeBreeze } from './breeze';

jest.setTimeout(60_000);

const breeze = new FakeBreeze();
const storage = mkdtempSync(join(tmpdir(), 'sqlprobe-noise-'));
let azurite: Azurite;
let sim: Simulator;
let rt: AppRuntime;

const log: Log = { log: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  [azurite, sim] = await Promise.all([startAzurite({ queue: true }), startTlsSim()]);
  await breeze.start();
  const target = {
    name: 'orders', server: sim.host, port: sim.gatewayPort, database: 'appdb', caFile: simCerts().caFile,
    auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
    // idle opens a cohort on the tick, which writes the idle journal to Table storage; its rung is not due in this test.
    probes: ['dns', 'tcp', 'tls', 'login', 'idle'], idle: { rungs: ['1h'] },
  };
  rt = await runtimeFromEnv({
    SQLPROBE_TARGETS: JSON.stringify([target]), SIM_PASSWORD, SQLPROBE_REGION: 'westeurope',
    APPLICATIONINSIGHTS_CONNECTION_STRING: breeze.connectionString, AzureWebJobsStorage: azurite.connectionString, SQLPROBE_OFFLINE_STORAGE_DIR: storage,
  });
}, 60_000);

afterAll(async () => {
  await rt?.telemetry.shutdown(10_000);
  await (rt?.idle as IdleRegistry | undefined)?.close();
  await breeze.stop();
  await Promise.all([azurite?.stop(), sim?.stop()]);
  cleanupCerts();
  rmSync(storage, { recursive: true, force: true });
});

test('a round with state in Table storage and the outbox in a queue sends only sqlprobe\'s own telemetry', async () => {
  const first = await connectivityRound(rt, log);
  // Table reads, an idle tick (the idle journal), then another round whose flush sends whatever those calls traced.
  const latest = (await listTargets(rt)).targets[0].results;
  expect(latest.length).toBe(first.results);
  await idleTick(rt, log);
  const second = await connectivityRound(rt, log);
  expect(await rt.telemetry.flush(10_000)).toBe(true);
  // A round reports counts; the probes it ran are the target's latest results, twice.
  expect([first.results, second.results]).toEqual([4, 4]);
  expect(first.failed + second.failed).toBe(0);
  const results = [...latest, ...latest];

  // Dependencies: exactly one per probe, the probe's own SQL span; none for storage, identity or HTTP.
  const deps = breeze.of('RemoteDependencyData').map((e) => `${e.data.baseData.type} ${e.data.baseData.name}`);
  expect(deps.sort()).toEqual(results.map((r) => `SQL ${r.target}/${r.probe}`).sort());
  expect(breeze.of('RequestData')).toEqual([]);
  expect(breeze.of('ExceptionData')).toEqual([]);
  // Traces are the phase events, metrics are sqlprobe's (no _OTELRESOURCE_, no SDK stats), events are its own.
  expect(new Set(breeze.of('MessageData').map((e) => e.data.baseData.message))).toEqual(new Set([PHASE_EVENT]));
  const metricNames = new Set(breeze.of('MetricData').flatMap((e) => (e.data.baseData.metrics as { name: string }[]).map((m) => m.name)));
  expect([...metricNames].filter((n) => !(Object.values(METRICS) as string[]).includes(n))).toEqual([]);
  expect(breeze.of('EventData').filter((e) => e.data.baseData.name !== EVENTS.verdictChanged)).toEqual([]);
  expect(new Set(breeze.envelopes.map((e) => e.data.baseType))).toEqual(new Set(['AvailabilityData', 'RemoteDependencyData', 'MessageData', 'MetricData']));
});

describe('statsbeat and the exporter\'s own counters', () => {
  const AZURE = 'westeurope-5.in.applicationinsights.azure.com';
  const off = { APPLICATION_INSIGHTS_NO_STATSBEAT: 'true' };

  test('SDK stats and the resource metric are always off', () => {
    for (const host of [AZURE, '127.0.0.1', undefined]) {
      expect(exporterSwitches(host, false)).toMatchObject({ APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true', APPLICATIONINSIGHTS_OPENTELEMETRY_RESOURCE_METRIC_DISABLED: 'true' });
    }
  });

  test('statsbeat is on only for an Azure Monitor endpoint, from Azure compute that says so without the metadata service', () => {
    expect(exporterSwitches(AZURE, true)).not.toHaveProperty('APPLICATION_INSIGHTS_NO_STATSBEAT');
    expect(exporterSwitches('dc.applicationinsights.azure.us', true)).not.toHaveProperty('APPLICATION_INSIGHTS_NO_STATSBEAT');
    expect(exporterSwitches(AZURE, false)).toMatchObject(off);
    expect(exporterSwitches('127.0.0.1', true)).toMatchObject(off);
    expect(exporterSwitches('collector.contoso.com', true)).toMatchObject(off);
    expect(exporterSwitches('applicationinsights.azure.com.evil.example', true)).toMatchObject(off);
  });

  test('Azure compute is what the environment names: Functions, App Service or AKS', () => {
    const compute = (env: Record<string, string>) => loadConfig(env).settings.onAzureCompute;
    expect([compute({ FUNCTIONS_WORKER_RUNTIME: 'node' }), compute({ WEBSITE_SITE_NAME: 'probe' }), compute({ AKS_ARM_NAMESPACE_ID: 'x' }), compute({ KUBERNETES_SERVICE_HOST: '10.0.0.1' })]).toEqual([true, true, true, true]);
    expect(compute({})).toBe(false);
  });
});
