import { targetSchema, type Target, type TargetInput } from '../../shared/config/target';
import type { ProbeOptions } from '../../shared/probers/prober';
import type { SimConfigInput, Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';

export const OPTIONS: ProbeOptions = { region: 'test', timeoutMs: 10_000, env: { SIM_PASSWORD } };

let certs: TestCerts | undefined;

/** One CA and server certificate per test file: targets are always encrypted. */
export function simCerts(): TestCerts {
  certs ??= createTestCerts();
  return certs;
}

export function cleanupCerts(): void {
  certs?.cleanup();
  certs = undefined;
}

/** The simulator with TLS, so the production opener (encrypt: true, our CA) logs in as it would in Azure. */
export function startTlsSim(config: SimConfigInput = {}): Promise<Simulator> {
  return startSim({ encrypt: 'on', tls: simCerts().good, ...config });
}

/** A target aimed at the simulator with a ladder scaled to seconds. */
export function simTarget(sim: Simulator, input: Partial<TargetInput> = {}): Target {
  return targetSchema.parse({
    name: 'sim',
    server: sim.host,
    port: sim.gatewayPort,
    database: 'appdb',
    caFile: simCerts().caFile,
    auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
    probes: ['idle'],
    ...input,
  });
}
