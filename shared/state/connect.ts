import type { TableClient } from '@azure/data-tables';
import type { Settings } from '../config';
import type { CohortJournal, HolderLease } from '../idle';
import { MemoryStateStore } from './memory-store';
import type { StateStore } from './store';

const TABLES = { latest: 'sqlprobeLatest', idleRuns: 'sqlprobeIdleRuns', journal: 'sqlprobeIdleJournal', lease: 'sqlprobeIdleLease', cooldowns: 'sqlprobeCooldowns' } as const;

function tableEndpoint(settings: Settings): string | undefined {
  const account = settings.AzureWebJobsStorage__accountName;
  return settings.AzureWebJobsStorage__tableServiceUri ?? (account && `https://${account}.table.core.windows.net`);
}

/** Like the host: a connection string wins; otherwise the managed identity against the account's endpoint. */
async function tableClientFactory(settings: Settings): Promise<((table: string) => TableClient) | undefined> {
  const connectionString = settings.AzureWebJobsStorage;
  const endpoint = tableEndpoint(settings);
  if (connectionString) {
    const { TableClient } = await import('@azure/data-tables');
    // Azurite speaks plain http on loopback; the SDK refuses http unless told.
    const allowInsecureConnection = /TableEndpoint=http:|UseDevelopmentStorage=true/i.test(connectionString);
    return (table) => TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection });
  }
  if (endpoint) {
    const [{ TableClient }, { DefaultAzureCredential }] = await Promise.all([import('@azure/data-tables'), import('@azure/identity')]);
    const clientId = settings.AzureWebJobsStorage__clientId;
    const credential = new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
    return (table) => new TableClient(endpoint, table, credential);
  }
  return undefined;
}

export interface StateConnection {
  kind: 'table' | 'memory';
  store: StateStore;
  /** For the idle registry, so a dead holder's cohorts come back as inconclusive; none in memory (the registry keeps its own). */
  journal?: CohortJournal;
  /** Which process of the region holds the idle connections; none in memory (one process is always the holder). */
  lease?: HolderLease;
}

/**
 * The app's storage account when the host has one, else memory: right for one process (the CLI),
 * wrong for a scaled-out app. The Tables and identity SDKs load lazily: they cost cold-start time.
 */
export async function connectStateStore(settings: Settings): Promise<StateConnection> {
  const client = await tableClientFactory(settings);
  if (!client) return { kind: 'memory', store: new MemoryStateStore() };
  const [{ TableStateStore }, { TableJournal }, { TableLease }] = await Promise.all([import('./table-store'), import('./table-journal'), import('./table-lease')]);
  return {
    kind: 'table',
    store: new TableStateStore({ latest: client(TABLES.latest), idleRuns: client(TABLES.idleRuns), cooldowns: client(TABLES.cooldowns) }, settings.region),
    journal: new TableJournal(client(TABLES.journal), settings.region),
    lease: new TableLease(client(TABLES.lease), settings.region),
  };
}
