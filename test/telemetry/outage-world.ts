import { startAzurite, type Azurite } from '../state/azurite';
import { FakeBreeze } from './breeze';

/**
 * What an outage test plays against: a fake ingestion server, and Azurite's table and queue
 * services as the app's storage account. Registers its own beforeAll and afterAll.
 */
export function outageWorld(): { breeze: FakeBreeze; storage: () => string; appSettings: (ikey: string, offlineDir: string, host?: string) => Record<string, string> } {
  const breeze = new FakeBreeze();
  let azurite: Azurite | undefined;
  beforeAll(async () => {
    azurite = await startAzurite({ queue: true });
    await breeze.start();
  }, 60_000);
  afterAll(async () => {
    breeze.fault = undefined;
    await breeze.stop();
    await azurite?.stop();
  });
  const storage = () => azurite!.connectionString;
  return {
    breeze,
    storage,
    /** App settings of one instance: its Application Insights resource, the shared storage account, its own temp disk. */
    appSettings: (ikey, offlineDir, host = '127.0.0.1') => ({
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${ikey};IngestionEndpoint=http://${host}:${breeze.port}/`,
      AzureWebJobsStorage: storage(),
      SQLPROBE_OFFLINE_STORAGE_DIR: offlineDir,
      SQLPROBE_REGION: 'westeurope',
    }),
  };
}
