import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { EXIT, InvalidResultError, UsageError, type ExitCode } from './exit';

/** The ad-hoc connection flags that `probe` and `idle` share. */
function addTargetFlags(cmd: Command): Command {
  return cmd
    .argument('[target]', 'a configured target, by name')
    .option('--server <host>', 'probe an ad-hoc server instead of a configured target')
    .option('--port <port>', 'TCP port (default 1433)')
    .option('--database <name>', 'database to log in to (default master)')
    .option('--user <login>', 'SQL login; the password comes from SQLPROBE_PASSWORD or a prompt, never argv')
    .option('--encrypt <mode>', 'true (classic TLS) or strict (TDS 8.0) (default true)')
    .option('--ca-file <path>', 'PEM file of the CA that signs the server certificate')
    .option('--trust-server-certificate', 'accept any server certificate (classic TLS only)')
    .option('--instance <name>', 'a named instance: its port comes from the SQL Server Browser on UDP 1434')
    .option('--json', 'print the results as a JSON array that validates against the result schema')
    .option('--results-file <path>', 'also append every result to this file as JSON Lines');
}

/*
 * Each command's module (and the engine, zod and the drivers with it) loads only when that command
 * runs: `sqlprobe --version` or `--help` costs little more than commander itself.
 */
function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command('sqlprobe')
    .description('Health probe for SQL Server, Azure SQL Database and Managed Instance')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions();

  addTargetFlags(program.command('probe'))
    .description('probe a target once and report the phases, the failure class and what to do')
    .option('--probes <list>', 'probes to run, comma-separated: dns,tcp,tls,login')
    .option('--tls-audit [minimum]', 'the tls probe also tries each TLS version alone; with a minimum (1.0, 1.1, 1.2 or 1.3), an older version accepted is a failure')
    .action(async (name: string | undefined, raw: unknown) => setExit(await (await import('./commands/probe')).probeAction(name, raw)));

  addTargetFlags(program.command('idle'))
    .description('hold idle connections for each rung, then report which idle timer kills them and what to change')
    .option('--rungs <list>', "idle ages to test, comma-separated, e.g. 5m,31m (default: the target's ladder)")
    .action(async (name: string | undefined, raw: unknown) => setExit(await (await import('./commands/idle')).idleAction(name, raw)));

  program
    .command('start')
    .description('run the scheduled probes locally with a live table; with no targets configured, a demo against the built-in simulator')
    .option('--results-file <path>', 'also append every result to this file as JSON Lines')
    .option('--metrics-port <port>', 'serve the live status page, Prometheus /metrics and /probe on this port (0: any free port); default SQLPROBE_METRICS_PORT, else off')
    .option('--metrics-host <address>', 'the address to serve them on (default 127.0.0.1; another exposes every result to whoever reaches it)')
    .action(async (raw: { resultsFile?: string; metricsPort?: string; metricsHost?: string }) => setExit(await (await import('./commands/start')).startCommand(raw)));

  program
    .command('sim')
    .description('run the TDS simulator (the same flags as npm run sim --; sqlprobe sim --help lists them)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .argument('[args...]')
    .action(async (args: string[]) => setExit(await (await import('./commands/sim')).simCommand(args)));

  return program;
}

/** Runs the CLI and returns its exit code; usage problems print one message, never a stack trace. */
export async function run(argv: readonly string[]): Promise<number> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof UsageError) {
      process.stderr.write(`sqlprobe: ${err.message.replaceAll('\n', '\nsqlprobe: ')}\n`);
      return EXIT.usage;
    }
    if (err instanceof InvalidResultError) {
      process.stderr.write(`sqlprobe: ${err.message}\n`);
      return EXIT.probeFailed;
    }
    throw err;
  }
}
