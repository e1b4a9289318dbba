import type { RuntimeSource } from './http';

/**
 * A handler whose module, and the engine with it, loads on the first invocation. The host imports
 * every registration file at each cold start before any trigger can fire; importing the engine there
 * (zod, the probers, telemetry) would make registering the triggers several times slower than
 * `@azure/functions` alone. A module that fails to load is tried again on the next invocation.
 */
export function lazyHandler<A extends unknown[], R>(load: () => Promise<(source: RuntimeSource) => (...args: A) => Promise<R>>): (...args: A) => Promise<R> {
  let handler: Promise<(...args: A) => Promise<R>> | undefined;
  const start = async () => {
    const [make, { processRuntime }] = await Promise.all([load(), import('../../shared/app')]);
    return make(processRuntime);
  };
  return async (...args) => {
    handler ??= start().catch((err: unknown) => {
      handler = undefined;
      throw err;
    });
    return (await handler)(...args);
  };
}
