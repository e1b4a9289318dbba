import type { Target } from '../config/target';
import { probeListener, type ListenerProbe } from './login-listener';
import { ProbeRecorder } from './record';
import type { ListenerResult, ProbeResult } from './result';
import type { Prober } from './types';

/** `<fog>.database.windows.net` → `<fog>.secondary.database.windows.net`, the read-only listener. */
export function secondaryListener(server: string): string {
  const dot = server.indexOf('.');
  return dot < 0 ? server : `${server.slice(0, dot)}.secondary${server.slice(dot)}`;
}

function summary(listener: ListenerResult['listener'], server: string, port: number, probe: ListenerProbe): ListenerResult {
  const result = probe.recorder.result(probe.error, probe.details);
  const { success, durationMs, phases, error, policy, routed, facts } = result;
  return { listener, server, port, success, durationMs, phases, ...(error ? { error } : {}), ...(policy ? { policy } : {}), ...(routed ? { routed } : {}), ...(facts ? { facts } : {}) };
}

/** Both listeners of a failover group, in parallel: read-write on the primary, read-only on the secondary. */
async function probeFailoverGroup(target: Target & { failoverGroup: NonNullable<Target['failoverGroup']> }, options: Parameters<Prober>[1], signal: AbortSignal): Promise<ProbeResult> {
  const fog = target.failoverGroup;
  const secondary = { server: fog.secondaryServer ?? secondaryListener(target.server), port: fog.secondaryPort ?? target.port };
  const [first, second] = await Promise.all([
    probeListener(target, options, signal, new ProbeRecorder(target, 'login', options, 'dns'), { listener: 'primary', expectUpdateability: 'READ_WRITE' }),
    probeListener(target, options, signal, new ProbeRecorder(target, 'login', options, 'dns'), { listener: 'secondary', ...secondary, readOnlyIntent: true, expectUpdateability: 'READ_ONLY' }),
  ]);
  const listeners = [summary('primary', target.server, target.port, first), summary('secondary', secondary.server, secondary.port, second)];
  return first.recorder.result(first.error ?? second.error, { ...first.details, listener: 'primary', listeners });
}

/**
 * Logs in with tedious 20, runs the target's query and reports the phases, the policy (proxy or
 * redirect, with the routed node), TLS and, when asked for, server facts from the same batch.
 */
export const loginProber: Prober = async (target, options, signal) => {
  const { failoverGroup } = target;
  if (failoverGroup) return probeFailoverGroup({ ...target, failoverGroup }, options, signal);
  const recorder = new ProbeRecorder(target, 'login', options, 'dns');
  const expectUpdateability = target.expect.readOnly ? 'READ_ONLY' : undefined;
  const probe = await probeListener(target, options, signal, recorder, { expectUpdateability, readOnlyIntent: target.expect.readOnly });
  return recorder.result(probe.error, probe.details);
};
