import { execFileSync, execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ProbeResult } from '../../../shared/probers/result';

const NODE = process.execPath;
const HELPERS = __dirname;

/** True when this machine lets the test create a network namespace (root with iproute2 and iptables). */
export function netnsAvailable(): boolean {
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    execFileSync('iptables', ['--version'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
}

/** A namespace of the test's own with only loopback, plus iptables rules in it; removed by `close`. */
export class TestNetns {
  readonly name = `sqlprobe-t${process.pid}-${Math.floor(Math.random() * 1e6)}`;

  constructor(rules: string[][]) {
    execFileSync('ip', ['netns', 'add', this.name]);
    try {
      execFileSync('ip', ['-n', this.name, 'link', 'set', 'lo', 'up']);
      for (const rule of rules) execFileSync('ip', ['netns', 'exec', this.name, 'iptables', ...rule]);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Runs a registered prober inside the namespace and returns its result. */
  probe(probe: string, target: unknown, timeoutMs: number): Promise<ProbeResult> {
    const args = ['netns', 'exec', this.name, NODE, '-r', join(__dirname, '..', '..', 'helpers', 'ts-register.js'), join(HELPERS, 'netns-child.ts'), JSON.stringify({ probe, target, timeoutMs })];
    return new Promise((resolve, reject) => {
      execFile('ip', args, { timeout: timeoutMs + 20_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as ProbeResult);
      });
    });
  }

  close(): void {
    execFileSync('ip', ['netns', 'del', this.name]);
  }
}
