import type * as Identity from '@azure/identity';
import type * as Tedious from 'tedious';
import type { Target } from '../config';
import { needsLogin, type ProbeName } from '../contract';

/*
 * tedious and @azure/identity load on first use, not when the engine is imported. The Functions
 * entry imports the engine to register its triggers, and these two are most of what the engine
 * costs to load (several hundred modules); the CLI's `--version` needs neither.
 */
let tediousModule: typeof Tedious | undefined;
let identityModule: typeof Identity | undefined;

/* eslint-disable @typescript-eslint/no-require-imports -- a synchronous load at the first use */
export const tedious = (): typeof Tedious => (tediousModule ??= require('tedious') as typeof Tedious);
export const identity = (): typeof Identity => (identityModule ??= require('@azure/identity') as typeof Identity);
/* eslint-enable @typescript-eslint/no-require-imports */

/** The target logs in with a Microsoft Entra token that sqlprobe fetches. */
export function needsToken(target: Target): boolean {
  return target.auth.type === 'managed-identity' || target.auth.type === 'service-principal' || target.auth.type === 'workload-identity';
}

/**
 * Loads the drivers a probe of this target needs. Loading blocks the event loop for a few hundred
 * milliseconds, so the runner calls this before a round's probes start rather than letting the
 * first login load tedious while other probes are timing their phases.
 */
export function loadDriversFor(target: Target, probe: ProbeName): void {
  if (!needsLogin(probe)) return;
  tedious();
  if (needsToken(target)) identity();
}
