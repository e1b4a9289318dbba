import type { InvocationContext, Timer } from '@azure/functions';
import { connectivityRound, idleTick } from '../../shared/app';
import type { RuntimeSource } from './http';

/** `connectivity`: one round over every target. Broken settings throw, so the invocation shows as failed. */
export const connectivityTimer = (source: RuntimeSource) => async (timer: Timer, context: InvocationContext): Promise<void> => {
  await connectivityRound(await source(), context, { isPastDue: timer.isPastDue });
};

/** `idle-tick`: settles the idle rungs that are due and opens the cohorts that are due. */
export const idleTickTimer = (source: RuntimeSource) => async (timer: Timer, context: InvocationContext): Promise<void> => {
  await idleTick(await source(), context, { isPastDue: timer.isPastDue });
};
