// Inside the test's network namespace, where 169.254.169.254 is a local address: listens there as the
// Azure instance-metadata service would, starts telemetry, and prints how many connections it got.
// `sqlprobe` starts sqlprobe's telemetry; `upstream` calls the distro's useAzureMonitor as documented.
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';

const [mode, endpoint] = process.argv.slice(2);

async function main(): Promise<number> {
  // A fresh deployment's environment: none of the exporter's switches set.
  for (const name of ['APPLICATION_INSIGHTS_NO_STATSBEAT', 'APPLICATIONINSIGHTS_SDKSTATS_DISABLED', 'APPLICATIONINSIGHTS_OPENTELEMETRY_RESOURCE_METRIC_DISABLED']) delete process.env[name];
  let asked = 0;
  const imds = createTcpServer((socket) => {
    asked++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => imds.listen(80, '169.254.169.254', resolve));
  const collector = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"itemsReceived":1,"itemsAccepted":1,"errors":[]}'));
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const local = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;
  const connectionString = `InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=${endpoint === 'azure' ? 'https://westeurope-5.in.applicationinsights.azure.com/' : local}`;
  if (mode === 'upstream') {
    const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
    useAzureMonitor({ azureMonitorExporterOptions: { connectionString } });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await shutdownAzureMonitor();
  } else {
    const { initTelemetry } = await import('../../shared/telemetry');
    const { loginSuccess } = await import('../helpers/results');
    const telemetry = initTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: undefined, SQLPROBE_LIVE_METRICS: false, SQLPROBE_OFFLINE_STORAGE_DIR: process.env.STORAGE, SQLPROBE_RESULTS_FILE: undefined, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    telemetry.record(loginSuccess());
    await telemetry.flush(3000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await telemetry.shutdown(3000);
  }
  collector.close();
  imds.close();
  return asked;
}

main().then(
  (asked) => {
    process.stdout.write(JSON.stringify({ asked }));
    process.exit(0);
  },
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
