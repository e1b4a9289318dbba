import { Cron } from 'croner';

export interface ScheduledJob {
  /** Milliseconds until the next tick. */
  msToNext(): number | undefined;
  /** Stops ticking and waits for a tick in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Runs `work` on a six-field NCRONTAB schedule (seconds first, as croner reads it), once at start
 * too, like a timer with runOnStartup. As with the Functions host, ticks never overlap: a tick that
 * finds the previous one still running is skipped, and the next one is told it is past due.
 */
export function schedule(pattern: string, work: (isPastDue: boolean) => Promise<void>, onError: (err: unknown) => void): ScheduledJob {
  let running: Promise<void> | undefined;
  let missed = false;
  const tick = () => {
    if (running) {
      missed = true;
      return;
    }
    const isPastDue = missed;
    missed = false;
    running = work(isPastDue).catch(onError).finally(() => (running = undefined));
  };
  const cron = new Cron(pattern, tick);
  tick();
  return {
    msToNext: () => cron.msToNext() ?? undefined,
    stop: async () => {
      cron.stop();
      await running;
    },
  };
}
