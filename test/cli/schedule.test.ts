import { schedule } from '../../cli/schedule';

/** A schedule that does not fire during the test: only the run at start happens. */
const YEARLY = '0 0 0 1 1 *';

describe('the local scheduler', () => {
  it('runs once at start, like runOnStartup, and stop waits for the tick in progress', async () => {
    let finish!: () => void;
    const calls: boolean[] = [];
    const job = schedule(YEARLY, (isPastDue) => {
      calls.push(isPastDue);
      return new Promise<void>((resolve) => (finish = resolve));
    }, () => undefined);
    expect(calls).toEqual([false]);
    expect(job.msToNext()).toBeGreaterThan(0);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('hands a failed tick to onError and keeps going', async () => {
    const errors: unknown[] = [];
    const job = schedule(YEARLY, async () => {
      throw new Error('boom');
    }, (err) => errors.push(err));
    await job.stop();
    expect(errors).toEqual([new Error('boom')]);
  });
});
