import { buildCli, spawnCli, type BuiltCli } from './cli-process';

let cli: BuiltCli;

beforeAll(async () => {
  cli = await buildCli();
}, 60_000);

afterAll(() => cli?.cleanup());

describe('npm start (sqlprobe start) with no targets configured', () => {
  it('runs the demo: results from both demo targets, then a clean stop on SIGINT', async () => {
    const proc = spawnCli(cli, ['start']);
    try {
      await proc.waitFor(/running the demo against the built-in simulator/);
      // Not a terminal, so one line per result; the login result names the policy each demo target shows.
      await proc.waitFor(/demo-proxy\/login ✔ .* proxy ·/);
      await proc.waitFor(/demo-redirect\/login ✔ .* redirect ·/);
      proc.child.kill('SIGINT');
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toMatch(/stopped\n$/);
      expect(proc.output()).not.toContain('unexpected error');
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 60_000);
});
