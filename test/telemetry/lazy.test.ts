import { initTelemetry } from '../../shared/telemetry';
import { telemetrySettings } from './settings';
import { loginSuccess } from '../helpers/results';

// Only this test replaces the distro, to see *when* it is loaded; the other suites use the real one.
let distroLoaded = false;
jest.mock('@azure/monitor-opentelemetry', () => {
  distroLoaded = true;
  return { useAzureMonitor: () => undefined, shutdownAzureMonitor: async () => undefined };
});

test('the distro loads on the first flush, not on import, init or record', async () => {
  const telemetry = initTelemetry(telemetrySettings({
    APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://127.0.0.1:9/',
  }));
  telemetry.record(loginSuccess());
  expect(distroLoaded).toBe(false);
  await telemetry.flush(5000);
  expect(distroLoaded).toBe(true);
  await telemetry.shutdown(5000);
});
