import { idleRegistry } from '../idle/default-registry';
import { runSingle } from '../idle/single';
import type { Prober } from './types';

/**
 * The idle-survival ladder. Held mode (the default) does one tick's work on the process's registry:
 * it checks the rungs that are due and opens a cohort when one is due, so it bills milliseconds.
 * Single mode holds the whole ladder in this call, for long-running hosts and the CLI.
 */
export const idleProber: Prober = (target, options, signal) =>
  target.idle.mode === 'single' ? runSingle('idle', target, options, signal) : idleRegistry().idle(target, options, signal);
