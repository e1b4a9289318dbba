import { probeHandler } from '../../functions/handlers/probe';
import { adHocServerSchema, HTTP_AD_HOC, runtimeFromEnv } from '../../shared/app';
import { probeResultSchema, type ProbeResult } from '../../shared/contract';
import type { SimEvent, Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_USER, startSim } from '../helpers/sim';
import { body, context, post, SECRET, testRuntime } from './helpers';

let certs: TestCerts;
let sim: Simulator;
let env: Record<string, string>;

beforeAll(async () => {
  certs = createTestCerts();
  sim = await startSim({ tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile }, encrypt: 'on' });
  env = {
    SQLPROBE_REGION: 'test',
    SQLPROBE_PROBE_TIMEOUT: '5s',
    SIM_PASSWORD: SECRET,
    SQLPROBE_TARGETS: JSON.stringify([{
      name: 'orders', server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile,
      auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
    }]),
  };
}, 30_000);

afterAll(async () => {
  await sim?.stop();
  certs?.cleanup();
});

describe('POST /api/probe', () => {
  it('probes a configured target and answers 200 with the results, recorded and flushed', async () => {
    const rt = testRuntime(env);
    const response = await probeHandler(async () => rt)(post('probe', { target: 'orders', probes: ['tls', 'login'] }), context());
    expect(response.status).toBe(200);
    const { results, skipped } = body<{ results: ProbeResult[]; skipped: unknown[] }>(response);
    expect(results.map((r) => [r.probe, r.success])).toEqual([['tls', true], ['login', true]]);
    for (const r of results) probeResultSchema.parse(r);
    expect(skipped).toEqual([]);
    expect(JSON.stringify(response)).not.toContain(SECRET);
    expect(rt.telemetry.results.map((r) => r.probe)).toEqual(['tls', 'login']);
    expect(rt.telemetry.flushes).toBe(1);
    expect((await rt.store.latestResults()).map((r) => r.probe).sort()).toEqual(['login', 'tls']);
  });

  it('answers 400 with the zod issues for a bad body', async () => {
    const handler = probeHandler(async () => testRuntime(env));
    const bad = await handler(post('probe', { target: 'orders', probes: ['idle'] }), context());
    expect(bad.status).toBe(400);
    expect(JSON.stringify(body(bad).issues)).toContain('idle runs start with POST /api/idle-runs');
    const notJson = await handler(post('probe', '{"target":'), context());
    expect(notJson.status).toBe(400);
    expect(body(notJson)).toEqual({ error: 'expected a JSON body' });
  });

  it('refuses a target name that is not configured (404), probing nothing', async () => {
    const rt = testRuntime(env);
    const response = await probeHandler(async () => rt)(post('probe', { target: 'metadata' }), context());
    expect(response.status).toBe(404);
    expect(rt.telemetry.results).toEqual([]);
  });

  it('refuses ad-hoc servers while the allowlist is off (the default)', async () => {
    const response = await probeHandler(async () => testRuntime(env))(post('probe', { server: '169.254.169.254', port: 80 }), context());
    expect(response.status).toBe(403);
    expect(body(response).error).toMatch(/ad-hoc servers are off/);
  });

  it('refuses an ad-hoc host outside the allowlist, and probes one inside it without recording it', async () => {
    const rt = testRuntime({ ...env, SQLPROBE_ADHOC_ALLOWLIST: '*.database.windows.net,localhost' });
    const handler = probeHandler(async () => rt);
    for (const server of ['169.254.169.254', 'database.windows.net.evil.example', 'xdatabase.windows.net']) {
      expect((await handler(post('probe', { server }), context())).status).toBe(403);
    }
    const allowed = await handler(post('probe', { server: 'localhost', port: sim.gatewayPort, probes: ['tcp'] }), context());
    expect(allowed.status).toBe(200);
    expect(body<{ results: ProbeResult[] }>(allowed).results).toEqual([expect.objectContaining({ target: 'adhoc', probe: 'tcp', success: true })]);
    expect(rt.telemetry.results).toEqual([]);
    expect(await rt.store.latestResults()).toEqual([]);
  });

  it('never lets an ad-hoc server log in with an app setting\'s secret', async () => {
    const rt = testRuntime({ ...env, SQLPROBE_ADHOC_ALLOWLIST: 'localhost' });
    const connects: SimEvent[] = [];
    const onEvent = (e: SimEvent) => e.kind === 'connect' && connects.push(e);
    sim.events.on('event', onEvent);
    const request = { server: 'localhost', port: sim.gatewayPort, auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' } };
    const response = await probeHandler(async () => rt)(post('probe', request), context());
    sim.events.off('event', onEvent);
    expect(response.status).toBe(400);
    // Refused for its auth, the only field at fault, before anything connected.
    expect(body(response).issues).toEqual([expect.objectContaining({
      path: ['auth'],
      message: 'expected auth.type "none" or "managed-identity": an ad-hoc server never gets a secret',
    })]);
    expect(connects).toEqual([]);
    expect(JSON.stringify(response)).not.toContain(SECRET);
  });

  it('never sends the app\'s token where Azure SQL is not, and never skips certificate validation ad hoc', async () => {
    const rt = testRuntime({ ...env, SQLPROBE_ADHOC_ALLOWLIST: 'localhost,*.example.test' });
    const handler = probeHandler(async () => rt);
    const connects: unknown[] = [];
    const onEvent = (e: SimEvent) => e.kind === 'connect' && connects.push(e);
    sim.events.on('event', onEvent);
    const trusting = await handler(post('probe', { server: 'localhost', port: sim.gatewayPort, trustServerCertificate: true, probes: ['tls'] }), context());
    expect(trusting.status).toBe(400);
    expect(body(trusting).issues).toEqual([expect.objectContaining({
      path: ['trustServerCertificate'],
      message: 'an ad-hoc server\'s certificate is always validated: remove trustServerCertificate (only a configured target may set it, or caFile)',
    })]);
    for (const server of ['localhost', 'sql.example.test']) {
      const identity = await handler(post('probe', { server, port: sim.gatewayPort, auth: { type: 'managed-identity' }, probes: ['login'] }), context());
      expect(identity.status).toBe(400);
      expect(body(identity).issues).toEqual([expect.objectContaining({
        path: ['auth'],
        message: `managed-identity sends the app's token, so it is only for Azure SQL names (under database.windows.net, database.usgovcloudapi.net, database.chinacloudapi.cn); "${server}" is not one: use auth "none", or configure a target`,
      })]);
    }
    sim.events.off('event', onEvent);
    expect(connects).toEqual([]);
    // The same request for an Azure SQL name is well formed (probing it would leave loopback).
    expect(adHocServerSchema(HTTP_AD_HOC).safeParse({ server: 'orders.database.windows.net', auth: { type: 'managed-identity' } }).success).toBe(true);
    expect(adHocServerSchema(HTTP_AD_HOC).safeParse({ server: 'orders.database.usgovcloudapi.net', auth: { type: 'managed-identity' }, trustServerCertificate: false }).success).toBe(true);
  });

  it('refuses a login on a target with auth none (400) instead of logging in with an empty user', async () => {
    const targets = [{ name: 'edge', server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile }];
    const rt = testRuntime({ ...env, SQLPROBE_TARGETS: JSON.stringify(targets), SQLPROBE_ADHOC_ALLOWLIST: 'localhost' });
    const handler = probeHandler(async () => rt);
    const configured = await handler(post('probe', { target: 'edge', probes: ['tls', 'login'] }), context());
    expect(configured.status).toBe(400);
    expect(body(configured)).toEqual({ error: 'target "edge" has auth type none: only dns, tcp, tls can run, not login; add credentials (auth) to the target, or leave those probes out' });
    const adHoc = await handler(post('probe', { server: 'localhost', port: sim.gatewayPort, probes: ['login'] }), context());
    expect(adHoc.status).toBe(400);
    expect(body(adHoc)).toEqual({ error: 'target "adhoc" has auth type none: only dns, tcp, tls can run, not login; use auth "managed-identity" (Azure SQL names only), or leave those probes out' });
    expect(rt.telemetry.results).toEqual([]);
    // Its own probes (dns, tcp and tls by default without credentials) still run.
    const own = await handler(post('probe', { target: 'edge' }), context());
    expect(own.status).toBe(200);
    expect(body<{ results: ProbeResult[] }>(own).results.map((r) => [r.probe, r.success])).toEqual([['dns', true], ['tcp', true], ['tls', true]]);
  });

  it('answers 500 with the problems when the settings are broken', async () => {
    const response = await probeHandler(() => runtimeFromEnv({ SQLPROBE_CONCURRENCY: 'many' }))(post('probe', { target: 'orders' }), context());
    expect(response.status).toBe(500);
    expect(body(response).problems).toEqual([expect.stringMatching(/^SQLPROBE_CONCURRENCY: expected an integer/)]);
  });

  it('answers 500 naming the setting, not an opaque error, for a malformed Application Insights string', async () => {
    const secret = 'InstrumentationKey=Secr3t-not-a-guid';
    const response = await probeHandler(() => runtimeFromEnv({ APPLICATIONINSIGHTS_CONNECTION_STRING: secret }))(post('probe', { target: 'orders' }), context());
    expect(response.status).toBe(500);
    expect(body(response).problems).toEqual(['APPLICATIONINSIGHTS_CONNECTION_STRING: expected "InstrumentationKey=<lower-case GUID>;IngestionEndpoint=https://…", copied from the Application Insights overview page']);
    expect(JSON.stringify(response)).not.toContain('Secr3t');
  });
});
