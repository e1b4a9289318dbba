import { settingsSchema } from '../config/settings';
import { IdleRegistry, type IdleRegistryOptions } from './registry';

let registry: IdleRegistry | undefined;

/** SQLPROBE_MAX_HELD_CONNECTIONS, or its default when unset or invalid (config loading reports it). */
function maxHeldSetting(env: Record<string, string | undefined>): number {
  const parsed = settingsSchema.shape.SQLPROBE_MAX_HELD_CONNECTIONS.safeParse(env.SQLPROBE_MAX_HELD_CONNECTIONS || undefined);
  return parsed.success ? parsed.data : 200;
}

/** The worker process's registry: the only state sqlprobe keeps across invocations. */
export function idleRegistry(): IdleRegistry {
  registry ??= new IdleRegistry({ maxHeld: maxHeldSetting(process.env) });
  return registry;
}

/** Replaces the process's registry (a journal in storage, a test clock); closes the previous one. */
export async function configureIdleRegistry(options: IdleRegistryOptions): Promise<IdleRegistry> {
  await registry?.close();
  registry = new IdleRegistry({ maxHeld: maxHeldSetting(process.env), ...options });
  return registry;
}
