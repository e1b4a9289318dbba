import { idleRegistry } from '../idle/default-registry';
import { runSingle } from '../idle/single';
import type { Prober } from './types';

/**
 * The dead-pool probe: N connections idle as an app's pool would, then are all borrowed. It counts
 * first uses that fail and how many a socket check on borrow would have caught. Held or single as
 * the target's idle mode says.
 */
export const poolProber: Prober = (target, options, signal) =>
  target.idle.mode === 'single' ? runSingle('pool', target, options, signal) : idleRegistry().pool(target, options, signal);
