import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../shared/config';
import { connectStateStore, MemoryStateStore, type StateStore } from '../../shared/state';
import { loginCooldownKey } from '../../shared/app';
import { type Azurite, startAzurite } from './azurite';

let azurite: Azurite;
let tableStore: StateStore;
let otherInstance: StateStore;

beforeAll(async () => {
  azurite = await startAzurite();
  const { settings } = loadConfig({ AzureWebJobsStorage: azurite.connectionString, SQLPROBE_REGION: 'westeurope' });
  tableStore = (await connectStateStore(settings)).store;
  otherInstance = (await connectStateStore(settings)).store;
}, 30_000);

afterAll(() => azurite?.stop());

describe.each([
  ['memory', () => new MemoryStateStore() as StateStore, (s: StateStore) => s],
  ['table (Azurite), claimed from two instances', () => tableStore, () => otherInstance],
])('%s cool-downs', (_kind, store, peer) => {
  it('lets one claim hold a key until it runs out, then the next one in', async () => {
    const s = store();
    const key = `target:t-${randomUUID().slice(0, 8)}`;
    const now = Date.now();
    expect(await s.claimCooldown(key, 5000, now)).toBe(0);
    expect(await peer(s).claimCooldown(key, 5000, now + 1500)).toBe(3500);
    expect(await peer(s).claimCooldown(key, 5000, now + 5000)).toBe(0);
    expect(await s.claimCooldown(key, 5000, now + 6000)).toBe(4000);
  });

  it('keeps keys apart, whatever characters an ad-hoc host name brings', async () => {
    const s = store();
    const now = Date.now();
    const odd = `adhoc:a/b#c?d\\e-${randomUUID().slice(0, 8)}:1433`;
    expect(await s.claimCooldown(odd, 5000, now)).toBe(0);
    expect(await s.claimCooldown(`${odd}x`, 5000, now)).toBe(0);
    expect(await s.claimCooldown(odd, 5000, now + 1)).toBe(4999);
  });
});

it('keys a configured target by name, an ad-hoc server by host and port', () => {
  expect(loginCooldownKey({ name: 'orders', server: 'a.database.windows.net', port: 1433 }, false)).toBe('target:orders');
  expect(loginCooldownKey({ name: 'adhoc', server: 'A.Database.Windows.Net.', port: 1433 }, true)).toBe('adhoc:a.database.windows.net:1433');
});
