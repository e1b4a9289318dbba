import type { SimConfigInput, Simulator } from '../../../sim';
import type { TargetInput } from '../../../shared/config';
import type { ProbeResult } from '../../../shared/contract';
import type { ProbeOptions } from '../../../shared/probers/prober';
import { PASSWORD, TOKEN } from '../fixtures';

/** The simulator's logical server for every scenario: our probe login and the orders database. */
export function simServer(extra: Record<string, unknown> = {}): NonNullable<SimConfigInput['servers']>[number] {
  return { logins: [{ user: 'probe', password: PASSWORD }], databases: ['orders'], accessTokens: [TOKEN], ...extra };
}

export const SQL_AUTH = { type: 'sql', user: 'probe', passwordSetting: 'PROBE_PASSWORD' } as const;

export interface Scenario {
  name: string;
  probe: 'dns' | 'tcp' | 'tls' | 'login';
  sim?: SimConfigInput;
  /** A second simulator (a failover group's secondary). */
  secondary?: SimConfigInput;
  /** Runs once the simulators listen: set faults, hook events. */
  arrange?: (sim: Simulator) => void | Promise<void>;
  target?: (sim: Simulator | undefined, secondary: Simulator | undefined) => Partial<TargetInput>;
  options?: Partial<ProbeOptions>;
  /** The probe's deadline; hang scenarios use a short one. */
  deadlineMs?: number;
  /** The simulator never sees the client's FIN (its session was silenced), so skip that check. */
  silenced?: boolean;
  expect: { success: boolean; class?: string; phase?: string; number?: number };
  check?: (r: ProbeResult, sim: Simulator | undefined, secondary: Simulator | undefined) => void;
}

/** Silences every session of the listener once `kind` happens, after the current response went out when `after`. */
export function silenceOn(sim: Simulator, kind: 'prelogin' | 'tls' | 'login', after = false): void {
  const silence = () => void sim.setFault('gateway', { kind: 'silent-drop' });
  sim.events.on('event', (e) => {
    if (e.kind === kind) (after ? setImmediate : (f: () => void) => f())(silence);
  });
}

/** Polls until `done` or the bound passes; for conditions the event loop settles (socket closes). */
export async function eventually(done: () => boolean, boundMs = 3000): Promise<boolean> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > boundMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

export const openSockets = (): number => process.getActiveResourcesInfo().filter((t) => t === 'TCPSocketWrap' || t === 'TLSWrap').length;
