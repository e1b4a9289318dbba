import { spawn } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { cleanEnv, type BuiltCli } from './cli-process';

export interface TerminalRun {
  output: () => string;
  waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>;
  /** Types Ctrl-C: the terminal sends SIGINT to the command, as a user's keyboard would. */
  interrupt: () => void;
  kill: () => void;
  exited: Promise<number | null>;
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * Runs the CLI on a real pseudo-terminal `columns` wide (util-linux `script`), so it sees a TTY of
 * that width, as in a user's terminal, and redraws its live view in place.
 */
export function runInTerminal(cli: BuiltCli, args: string[], columns: number, env: Record<string, string> = {}): TerminalRun {
  const command = `stty cols ${columns} rows 50; exec ${[process.execPath, cli.main, ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['--quiet', '--return', '--flush', '--command', command, '/dev/null'], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (d: string) => {
    out += d;
    const plain = stripVTControlCharacters(out);
    for (const w of [...waiters]) {
      const m = plain.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  // Decoded as a stream: a character split across two reads must not turn into two bad ones.
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    output: () => out,
    waitFor: (pattern) => {
      const m = stripVTControlCharacters(out).match(pattern);
      return m ? Promise.resolve(m) : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
    interrupt: () => child.stdin.write('\x03'),
    kill: () => child.kill('SIGKILL'),
    exited,
  };
}

/**
 * The lines the command logged above its live view, each as the rows the terminal showed: every
 * log call clears below the cursor, writes the line, then redraws the view (a table).
 */
export function loggedLines(raw: string): string[][] {
  return raw.split('\x1b[J').slice(1).map((chunk) => {
    const rows = stripVTControlCharacters(chunk).split(/\r\n|\n/);
    const table = rows.findIndex((r) => r.startsWith('┌'));
    return rows.slice(0, table < 0 ? rows.length : table).filter((r) => r.trim() !== '');
  }).filter((rows) => rows.length > 0);
}
