// Runs one prober inside the test's network namespace and prints its result as JSON.
import { PROBERS } from '../../shared/probers';
import { targetSchema } from '../../shared/config';

const { probe, target, timeoutMs } = JSON.parse(process.argv[2]) as { probe: keyof typeof PROBERS; target: unknown; timeoutMs: number };
PROBERS[probe](targetSchema.parse(target), { env: process.env, region: 'netns', timeoutMs }, AbortSignal.timeout(timeoutMs)).then((result) => {
  process.stdout.write(JSON.stringify(result));
});
