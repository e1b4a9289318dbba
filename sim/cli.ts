import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { type CliOptions, configFromFlags, formatEvent, parseArg, parseDuration, parseFault, printable } from './flags';
import { type Simulator, start } from './index';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Commands read from stdin while the simulator runs, so faults can be switched by hand. */
async function command(sim: Simulator, line: string, out: (s: string) => void): Promise<void> {
  const [verb, ...args] = line.trim().split(/\s+/);
  if (verb === 'fault') {
    await sim.setFault(args[0] === 'node' ? 'node' : 'gateway', parseFault(args[1] ?? 'none'));
    out(`fault ${args[0]} ${args[1] ?? 'none'}`);
  } else if (verb === 'failover') {
    sim.failover({ unavailableMs: args[0] ? parseDuration(args[0]) : 0 });
    out('failover');
  } else if (verb === 'sessions') {
    for (const s of sim.sessions()) out(`#${s.id} spid=${s.spid} ${s.listener} ${s.state} ${s.client} ${s.encryption} ${printable(s.user ?? '')}@${printable(s.database ?? '')}`);
  } else if (verb) {
    out('commands: fault gateway|node <refuse|blackhole|rst:prelogin|rst:tls|rst:login|rst:query|close-after-login|silent-drop|slow-start:5s|fin:accept|fin:prelogin|fin:tls|fin:login|bad-prelogin|none>, failover [30s], sessions');
  }
}

export function buildSimCommand(): Command {
  return new Command('sim')
    .description('Run the TDS simulator of Azure SQL and its gateway')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'gateway port (0 picks a free one)', parseArg.port, 14330)
    .addOption(new Option('--policy <policy>', 'connection policy').choices(['proxy', 'redirect']).default('proxy'))
    .option('--node-port <port>', 'node port under redirect (0 picks a free one)', parseArg.port, 11000)
    .option('--route-host <host>', 'host name sent in the routing ENVCHANGE (default: --host)')
    .addOption(new Option('--encrypt <setting>', 'server encryption setting').choices(['off', 'on', 'notsup']).default('off'))
    .option('--strict', 'accept TDS 8.0 (TLS first, ALPN tds/8.0)')
    .option('--cert <file>', 'PEM certificate')
    .option('--key <file>', 'PEM private key')
    .option('--login <user:password>', 'SQL login (repeatable)', collect, [])
    .option('--database <name>', 'database (repeatable)', collect, [])
    .option('--server-name <name>', 'logical server name', 'sqlprobe-sim')
    .option('--access-token <token>', 'accepted Entra access token (repeatable)', collect, [])
    .option('--read-only', 'Updateability READ_ONLY (a failover-group secondary)')
    .option('--edition <n>', "SERVERPROPERTY('EngineEdition')", parseArg.edition, 5)
    .addOption(new Option('--idle-timeout <duration>', 'proxy idle kill').argParser(parseArg.duration).default(30 * 60_000, '30m'))
    .addOption(new Option('--idle-close <how>', 'how the idle kill closes').choices(['fin', 'rst']).default('fin'))
    .option('--error <number>', 'every login gets this error (repeatable)', collect, [])
    .addOption(new Option('--latency <duration>', 'delay before every response message').argParser(parseArg.duration).default(0, '0ms'))
    .option('--max-sessions <n>', 'session cap; further logins get 10928', parseArg.maxSessions)
    .addOption(new Option('--prelogin-timeout <duration>', 'close a connection that has not logged in this long after connecting').argParser(parseArg.duration).default(30_000, '30s'))
    .option('--max-connections <n>', 'connections open at once, both ports together; more are closed as they arrive', parseArg.maxConnections, 10_000)
    .option('--tls-versions <list>', 'TLS versions accepted, of 1.0,1.1,1.2,1.3 (classic TLS uses those up to 1.2)', '1.2,1.3')
    .option('--instance <name[:port|:off]>', 'a named instance the SQL Server Browser lists, on the gateway port unless given (repeatable)', collect, [])
    .option('--browser-port <port>', 'UDP port of the SQL Server Browser, when --instance is given (drivers ask 1434)', parseArg.port, 1434)
    .option('--domain <name>', "the server's Windows domain (NetBIOS name) for NTLM logins", 'SQLPROBE')
    .option('--trusted-domain <name>', 'another domain whose Windows logins are accepted (repeatable)', collect, [])
    .option('--windows-login <DOMAIN\\user:password>', 'a Windows login checked with NTLMv2 (repeatable)', collect, [])
    .action(async (o: CliOptions) => {
      const out = (s: string): void => void process.stdout.write(`${s}\n`);
      const sim = await start(configFromFlags(o));
      sim.events.on('event', (e) => out(formatEvent(e)));
      const input = process.stdin.isTTY || process.env.SQLPROBE_SIM_STDIN ? createInterface({ input: process.stdin }) : undefined;
      input?.on('line', (line) => command(sim, line, out).catch((e: Error) => out(`error: ${e.message}`)));
      const shutdown = (): void => {
        input?.close();
        sim.stop().then(() => process.exit(0));
      };
      // Handlers first: a supervisor may send SIGTERM the moment it reads the ready line.
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
      out(`sqlprobe-sim ready gateway=${sim.host}:${sim.gatewayPort}${sim.nodePort ? ` node=${sim.host}:${sim.nodePort}` : ''}`);
    });
}
