// Runs idle ladders (single mode) inside the netlab's client namespace and prints the results as JSON.
import { targetSchema } from '../../shared/config';
import { runSingle } from '../../shared/idle';

const { targets, timeoutMs } = JSON.parse(process.argv[2]) as { targets: unknown[]; timeoutMs: number };
const options = { env: process.env, region: 'netlab', timeoutMs: 10_000 };
Promise.all(targets.map((t) => runSingle('idle', targetSchema.parse(t), options, AbortSignal.timeout(timeoutMs)))).then((results) => {
  process.stdout.write(JSON.stringify(results));
});
