// What a cold start loads, read from require.cache in a fresh Node process (jest's own module
// registry would hide it): the Functions host imports every registration file before any trigger
// fires, and `sqlprobe --version` should cost little more than commander.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const REGISTER = join(ROOT, 'test/helpers/ts-register.js');
const ENTRIES = readdirSync(join(ROOT, 'functions')).filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, 'functions', f));

/** The heavy packages, and the engine itself, as they show in require.cache. */
const PROBE = `
const loaded = () => {
  const keys = Object.keys(require.cache);
  const has = (part) => keys.some((k) => k.includes(part));
  return {
    tedious: has('/node_modules/tedious/'), identity: has('/node_modules/@azure/identity/'),
    distro: has('/node_modules/@azure/monitor-opentelemetry/'), tables: has('/node_modules/@azure/data-tables/'),
    zod: has('/node_modules/zod/'), engine: has('/shared/app/'), commands: has('/cli/commands/'), sim: has('/sim/'),
  };
};`;

function runChild(script: string, env: Record<string, string> = {}): Record<string, Record<string, boolean>> {
  // The answer goes to stderr: the console sink and the CLI write to stdout.
  const child = spawnSync(process.execPath, ['-r', REGISTER, '-e', `${PROBE}\n(async () => {\n${script}\n})().then((r) => process.stderr.write('\\nRESULT ' + JSON.stringify(r) + '\\n'), (e) => { console.error(e); process.exit(1); });`], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
  });
  const answer = /^RESULT (.*)$/m.exec(child.stderr);
  if (child.status !== 0 || !answer) throw new Error(`the child failed (${child.status}): ${child.stderr}`);
  return JSON.parse(answer[1]);
}

// The spawn can be slow on a loaded machine: the sources are compiled as they load.
jest.setTimeout(120_000);

describe('cold start', () => {
  it('registers every trigger without loading tedious, @azure/identity, the Azure Monitor distro, the Tables SDK, zod or the engine', () => {
    const { registration } = runChild(`
      const { app } = require('@azure/functions');
      app.timer = app.http = () => undefined;
      for (const file of ${JSON.stringify(ENTRIES)}) require(file);
      return { registration: loaded() };
    `);
    expect(registration).toEqual({ tedious: false, identity: false, distro: false, tables: false, zod: false, engine: false, commands: false, sim: false });
  });

  it('loads the engine on the first invocation, tedious on the first login probe, and the distro only when a connection string asks for it', () => {
    // One target whose login is refused at once (nothing listens on port 1): enough to need tedious.
    const targets = JSON.stringify([{ name: 'nowhere', server: '127.0.0.1', port: 1, database: 'master', probes: ['login'], auth: { type: 'sql', user: 'u', passwordSetting: 'PW' } }]);
    const steps = runChild(`
      const { app } = require('@azure/functions');
      const handlers = {};
      app.timer = app.http = (name, options) => { handlers[name] = options.handler; };
      for (const file of ${JSON.stringify(ENTRIES)}) require(file);
      const registration = loaded();
      const quiet = { log() {}, warn() {}, error() {} };
      await handlers.targets({ json: async () => ({}), params: {} }, quiet);
      const firstInvocation = loaded();
      await handlers.connectivity({ isPastDue: false }, quiet);
      return { registration, firstInvocation, firstRound: loaded() };
    `, { SQLPROBE_TARGETS: targets, PW: 'not-a-real-password', SQLPROBE_RETRY_DELAY: 'off' });
    expect(steps.registration).toMatchObject({ engine: false, zod: false, tedious: false });
    expect(steps.firstInvocation).toMatchObject({ engine: true, zod: true, tedious: false, identity: false, distro: false });
    // tedious requires @azure/identity itself (for its own Entra authentication types).
    expect(steps.firstRound).toMatchObject({ engine: true, tedious: true, identity: true, distro: false });
  });

  it('answers sqlprobe --version and --help without loading any command, the engine, zod or the simulator', () => {
    const { version, help } = runChild(`
      const { run } = require(${JSON.stringify(join(ROOT, 'cli/program.ts'))});
      const write = process.stdout.write;
      process.stdout.write = () => true;
      await run(['node', 'sqlprobe', '--version']);
      const version = loaded();
      await run(['node', 'sqlprobe', '--help']);
      process.stdout.write = write;
      return { version, help: loaded() };
    `);
    for (const loadedNow of [version, help]) {
      expect(loadedNow).toEqual({ tedious: false, identity: false, distro: false, tables: false, zod: false, engine: false, commands: false, sim: false });
    }
  });
});
