/**
 * Child process for the simulator benchmarks: runs one simulator so its RSS is measured alone.
 * Reads the config from argv[2] (JSON), reports its port over IPC, answers "rss" requests. With a
 * delay in argv[3] (ms), a delaying proxy in the same process fronts it and its port is reported.
 */
import { start } from '../sim';
import { startDelayingProxy } from './delaying-proxy';

async function main(): Promise<void> {
  const sim = await start(JSON.parse(process.argv[2] ?? '{}'));
  const delayMs = Number(process.argv[3] ?? 0);
  const proxy = delayMs > 0 ? await startDelayingProxy(sim.gatewayPort, delayMs) : undefined;
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'rss') {
      gc?.();
      process.send?.({ rss: process.memoryUsage().rss, sessions: sim.sessions().length });
    } else if (m.cmd === 'flights') process.send?.({ flights: proxy?.flights() ?? 0 });
    else if (m.cmd === 'stop') sim.stop().then(() => process.exit(0));
  });
  process.send?.({ port: proxy?.port ?? sim.gatewayPort });
}

main();
