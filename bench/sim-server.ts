/**
 * Child process for the simulator benchmark: runs one simulator so its RSS is measured alone.
 * Reads the config from argv[2] (JSON), reports its port over IPC, answers "rss" requests.
 */
import { start } from '../sim';

async function main(): Promise<void> {
  const sim = await start(JSON.parse(process.argv[2] ?? '{}'));
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'rss') {
      gc?.();
      process.send?.({ rss: process.memoryUsage().rss, sessions: sim.sessions().length });
    } else if (m.cmd === 'stop') sim.stop().then(() => process.exit(0));
  });
  process.send?.({ port: sim.gatewayPort });
}

main();
