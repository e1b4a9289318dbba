import { ConfigError, loadConfig, type LoadedConfig } from '../shared/config';
import { UsageError } from './exit';

/**
 * Settings and targets from the environment. A broken setting is bad usage (exit 2); a broken target
 * is only reported, so the others still run.
 */
export function loadCliConfig(env: Record<string, string | undefined> = process.env, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): LoadedConfig {
  try {
    const config = loadConfig(env);
    for (const problem of config.problems) warn(`sqlprobe: skipping a target: ${problem}`);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.problems.join('\n'));
    throw err;
  }
}
