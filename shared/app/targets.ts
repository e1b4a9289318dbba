import { z } from 'zod';
import { AUTH_TYPES, targetSchema, type Target } from '../config';
import { type ProbeResult, probeResultSchema, verdictSchema } from '../contract';
import type { AppRuntime } from './runtime';

/** A target as `GET /api/targets` shows it: its auth reduced to the type and SQL or Windows user, no setting names or ids. */
export const publicTargetSchema = targetSchema.pick({ name: true, server: true, port: true, database: true, encrypt: true, probes: true, expect: true, failoverGroup: true, tags: true, instanceName: true }).extend({
  auth: z.object({ type: z.enum(AUTH_TYPES), user: z.string().optional() }),
  /** The latest result of each probe (and listener), from any instance. */
  results: z.array(probeResultSchema),
  /** The idle verdict from the latest idle result, when there is one. */
  verdict: verdictSchema.optional(),
});
export type PublicTarget = z.infer<typeof publicTargetSchema>;

function publicTarget(target: Target, results: ProbeResult[]): PublicTarget {
  const { name, server, port, database, encrypt, probes, expect, failoverGroup, tags, auth, instanceName } = target;
  const idle = results.find((r) => r.idle);
  return {
    name, server, port, database, encrypt, probes, expect, tags,
    ...(failoverGroup ? { failoverGroup } : {}),
    ...(instanceName ? { instanceName } : {}),
    auth: { type: auth.type, ...(auth.type === 'sql' ? { user: auth.user } : auth.type === 'ntlm' ? { user: `${auth.domain}\\${auth.user}` } : {}) },
    results,
    ...(idle?.idle ? { verdict: idle.idle.verdict } : {}),
  };
}

/** Every configured target with its latest results and verdict, and the lines of any target that failed validation. */
export async function listTargets(rt: AppRuntime): Promise<{ targets: PublicTarget[]; problems: string[] }> {
  const latest = await rt.store.latestResults();
  const byTarget = Map.groupBy(latest, (r) => r.target);
  return { targets: rt.targets.map((t) => publicTarget(t, byTarget.get(t.name) ?? [])), problems: rt.problems };
}
