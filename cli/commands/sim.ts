import { CommanderError } from 'commander';
import { buildSimCommand } from '../../sim/cli';
import { UsageError } from '../exit';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * `sqlprobe sim …` runs the simulator's own command, so its flags, help and ready line are exactly
 * those of `npm run sim --`. It returns only on a usage error (or --help): once listening, the
 * simulator's SIGINT/SIGTERM handler stops it and exits the process.
 */
export async function simCommand(args: readonly string[]): Promise<never> {
  // A signal while the simulator is still starting, before its handlers are installed, would kill
  // the process uncleanly; hold it and raise it again once they are in place.
  let held: NodeJS.Signals | undefined;
  const hold = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) === 1) held = signal;
  };
  for (const s of STOP_SIGNALS) process.on(s, hold);
  try {
    await buildSimCommand().name('sqlprobe sim').exitOverride().parseAsync([...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) throw err;
    throw new UsageError((err as Error).message);
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, hold);
  }
  if (held) process.kill(process.pid, held);
  return new Promise<never>(() => {});
}
