import { CommanderError, type Command } from 'commander';
import { buildSimCommand } from '../../sim/cli';
import { configFromFlags, type CliOptions } from '../../sim/flags';

/** The simulator's real command with its action swapped for one that keeps the parsed options. */
function flags(args: string[]): CliOptions {
  let options: CliOptions | undefined;
  const cmd: Command = buildSimCommand().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} }).action((o: CliOptions) => {
    options = o;
  });
  cmd.parse(args, { from: 'user' });
  if (!options) throw new CommanderError(1, 'none', 'the action did not run');
  return options;
}

describe("the simulator's flags for the DBA checks", () => {
  it('map onto the config: TLS versions, instances and their Browser, the Windows domain and logins', () => {
    const config = configFromFlags(flags([
      '--tls-versions', '1.0,1.2', '--instance', 'SQLEXPRESS', '--instance', 'REPORTS:50123', '--instance', 'PIPES:off', '--browser-port', '0',
      '--domain', 'CONTOSO', '--trusted-domain', 'FABRIKAM', '--windows-login', 'CONTOSO\\svc:pa:ss',
    ]));
    expect(config).toMatchObject({
      tlsVersions: ['1.0', '1.2'],
      instances: [{ name: 'SQLEXPRESS' }, { name: 'REPORTS', tcpPort: 50123 }, { name: 'PIPES', tcpPort: 'off' }],
      browserPort: 0,
      windows: { domain: 'CONTOSO', trustedDomains: ['FABRIKAM'] },
    });
    expect(config.servers?.[0].windowsLogins).toEqual([{ domain: 'CONTOSO', user: 'svc', password: 'pa:ss' }]);
  });

  it('default to what drivers and Azure SQL expect: TLS 1.2 and 1.3, the Browser on UDP 1434, no instance', () => {
    expect(configFromFlags(flags([]))).toMatchObject({ tlsVersions: ['1.2', '1.3'], browserPort: 1434, instances: [], windows: { domain: 'SQLPROBE' } });
  });

  it('name the flag and what it takes when a value is wrong', () => {
    expect(() => configFromFlags(flags(['--tls-versions', '1.2,2.0']))).toThrow('--tls-versions: expected a comma-separated list of 1.0, 1.1, 1.2 and 1.3, got "1.2,2.0"');
    expect(() => configFromFlags(flags(['--instance', 'SQL EXPRESS']))).toThrow(/^--instance: expected NAME, NAME:PORT or NAME:off/);
    expect(() => configFromFlags(flags(['--instance', 'X:port']))).toThrow(/^--instance: expected NAME, NAME:PORT or NAME:off/);
    expect(() => configFromFlags(flags(['--windows-login', 'svc:pw']))).toThrow('--windows-login svc:pw: use DOMAIN\\user:password');
    expect(() => flags(['--browser-port', '70000'])).toThrow(/expected an integer 0–65535/);
  });
});
