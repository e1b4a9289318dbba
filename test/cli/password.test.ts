import { PassThrough } from 'node:stream';
import { UsageError } from '../../cli/exit';
import { envWithPassword } from '../../cli/password';
import { PASSWORD_ENV, resolveTarget } from '../../cli/target-flags';

/** A stand-in terminal: raw mode is recorded, keystrokes are written into it. */
function fakeTty(isTTY: boolean) {
  const stdin = Object.assign(new PassThrough(), { isTTY, rawMode: false, setRawMode(mode: boolean) { this.rawMode = mode; return this; } });
  return stdin as unknown as NodeJS.ReadStream & { rawMode: boolean };
}

const target = resolveTarget(undefined, { server: '127.0.0.1', user: 'app' }, []);

describe('the password', () => {
  it('comes from the environment when set, without a prompt', async () => {
    const env = { [PASSWORD_ENV]: 'from-env' };
    await expect(envWithPassword(target, env, fakeTty(true))).resolves.toBe(env);
  });

  it('is prompted for on a terminal, without echo, into a copy of the environment', async () => {
    const stdin = fakeTty(true);
    const written: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      const env: Record<string, string | undefined> = {};
      const pending = envWithPassword(target, env, stdin);
      expect(stdin.rawMode).toBe(true);
      stdin.write('sx\u007fecret\r');
      await expect(pending).resolves.toEqual({ [PASSWORD_ENV]: 'secret' });
      expect(env).toEqual({});
      expect(stdin.rawMode).toBe(false);
      expect(written.join('')).toBe('Password for app@127.0.0.1: \n');
    } finally {
      write.mockRestore();
    }
  });

  it('is bad usage when there is no terminal to prompt on, or the prompt is cancelled', async () => {
    await expect(envWithPassword(target, {}, fakeTty(false))).rejects.toThrow(new UsageError('SQLPROBE_PASSWORD is not set and there is no terminal to prompt on; set SQLPROBE_PASSWORD in the environment'));
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const stdin = fakeTty(true);
      const pending = envWithPassword(target, {}, stdin);
      stdin.write('\u0003');
      await expect(pending).rejects.toThrow('cancelled at the password prompt');
    } finally {
      write.mockRestore();
    }
  });

  it("is prompted for a configured Windows login's unset setting, naming DOMAIN\\user", async () => {
    const windows = { ...target, name: 'onprem', auth: { type: 'ntlm' as const, domain: 'CONTOSO', user: 'svc', passwordSetting: 'WIN_PW' } };
    const stdin = fakeTty(true);
    const written: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      const pending = envWithPassword(windows, {}, stdin);
      stdin.write('w1n\r');
      await expect(pending).resolves.toEqual({ WIN_PW: 'w1n' });
      expect(written.join('')).toBe('Password for CONTOSO\\svc@127.0.0.1: \n');
    } finally {
      write.mockRestore();
    }
  });

  it('is not asked for when the target does not log in', async () => {
    const tlsOnly = resolveTarget(undefined, { server: '127.0.0.1' }, []);
    await expect(envWithPassword(tlsOnly, {}, fakeTty(false))).resolves.toEqual({});
  });
});
