import { app, type InvocationContext, type Timer } from '@azure/functions';
import { connectivityRound, idleTick, startedRuntime } from '../../shared/app';
import type { RuntimeSource } from './http';

/** `connectivity`: one round over every target. Broken settings throw, so the invocation shows as failed. */
export const connectivityTimer = (source: RuntimeSource) => async (timer: Timer, context: InvocationContext): Promise<void> => {
  await connectivityRound(await source(), context, { isPastDue: timer.isPastDue });
};

let releaseOnTerminate = false;

/**
 * On a graceful shutdown the idle holder closes its connections and releases the lease, so the next
 * holder takes over at its next tick instead of waiting for the lease to expire. Registered when a
 * process first becomes the holder, so instances that never hold it (HTTP ones) register nothing.
 */
function releaseLeaseOnTerminate(): void {
  if (releaseOnTerminate) return;
  releaseOnTerminate = true;
  app.hook.appTerminate(async () => {
    await (await startedRuntime())?.idle.close();
  });
}

/** `idle-tick`: in the idle holder, settles the idle rungs that are due and opens the cohorts that are due. */
export const idleTickTimer = (source: RuntimeSource) => async (timer: Timer, context: InvocationContext): Promise<void> => {
  const rt = await source();
  await idleTick(rt, context, { isPastDue: timer.isPastDue });
  if (rt.idle.holds()) releaseLeaseOnTerminate();
};
