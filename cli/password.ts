import type { Target } from '../shared/config';
import { UsageError } from './exit';

type Env = Record<string, string | undefined>;

/** Reads a line from the terminal without echoing it; Ctrl-C aborts. */
function promptHidden(prompt: string, stdin: NodeJS.ReadStream = process.stdin, out: NodeJS.WriteStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      out.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new UsageError('cancelled at the password prompt'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else if (ch >= ' ') text += ch;
      }
    };
    out.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/**
 * The environment a probe reads its secrets from. A SQL or Windows login whose password setting is
 * unset gets a prompt on a terminal; the password goes into this copy only, never into argv or process.env.
 */
export async function envWithPassword(target: Target, env: Env, stdin: NodeJS.ReadStream = process.stdin): Promise<Env> {
  const auth = target.auth;
  if ((auth.type !== 'sql' && auth.type !== 'ntlm') || env[auth.passwordSetting]) return env;
  const setting = auth.passwordSetting;
  if (!stdin.isTTY) throw new UsageError(`${setting} is not set and there is no terminal to prompt on; set ${setting} in the environment`);
  const who = auth.type === 'ntlm' ? `${auth.domain}\\${auth.user}` : auth.user;
  const password = await promptHidden(`Password for ${who}@${target.server}: `, stdin);
  if (!password) throw new UsageError(`no password given; type it at the prompt or set ${setting}`);
  return { ...env, [setting]: password };
}
