import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult, VerdictChange } from '../../shared/contract';

const ROOT = join(__dirname, '..', '..');
const CHILD = [join(ROOT, 'test', 'helpers', 'ts-register.js'), join(__dirname, 'outage-child.ts')];

export interface FlushReport {
  ok: boolean;
  ms: number;
  warnings: string[];
}

/**
 * A name resolution of the test's own for one child process: `unshare --mount` gives the child
 * private /etc/hosts and /etc/nsswitch.conf ("hosts: files", so no DNS server is asked), which the
 * test rewrites to make the ingestion host resolve or not. Needs root, like the network namespaces.
 */
export class PrivateHosts {
  readonly dir = mkdtempSync(join(tmpdir(), 'sqlprobe-hosts-'));
  readonly hosts = join(this.dir, 'hosts');
  readonly nsswitch = join(this.dir, 'nsswitch.conf');

  constructor(private readonly name: string) {
    writeFileSync(this.nsswitch, 'hosts: files\n');
    this.resolve(false);
  }

  /** Whether `name` resolves to 127.0.0.1; written in place, so the child's bind mount sees it. */
  resolve(resolvable: boolean): void {
    writeFileSync(this.hosts, `127.0.0.1 localhost\n::1 localhost\n${resolvable ? `127.0.0.1 ${this.name}\n` : ''}`);
  }

  /** The command prefix that runs the rest with these files. */
  wrap(command: string[]): string[] {
    const script = 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"';
    return ['unshare', '--mount', '--', 'sh', '-c', script, 'sh', this.hosts, this.nsswitch, ...command];
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A child process hosting telemetry from app settings (test/telemetry/outage-child.ts), driven over IPC. */
export class TelemetryProcess {
  private readonly stderr: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (d: Buffer) => this.stderr.push(d.toString()));
  }

  static async start(settings: Record<string, string>, hosts?: PrivateHosts): Promise<TelemetryProcess> {
    const command = [process.execPath, '-r', ...CHILD];
    const [file, ...args] = hosts ? hosts.wrap(command) : command;
    const child = spawn(file, args, { env: { ...process.env, ...settings }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const t = new TelemetryProcess(child);
    await t.reply('ready');
    return t;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async record(results: ProbeResult[], changes: VerdictChange[] = []): Promise<void> {
    this.child.send({ op: 'record', results, changes });
    await this.reply('record');
  }

  async flush(): Promise<FlushReport> {
    this.child.send({ op: 'flush' });
    return this.reply<FlushReport>('flush');
  }

  async shutdown(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.send({ op: 'shutdown' });
    await Promise.all([this.reply('shutdown'), once(this.child, 'exit')]);
  }

  /** kill -9: no exit handler, no flush, nothing in memory survives. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    if (this.child.exitCode === null && this.child.signalCode === null) await once(this.child, 'exit');
  }

  private reply<T>(op: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { op: string }) => {
        if (m.op !== op) return;
        this.child.off('exit', onExit);
        this.child.off('message', onMessage);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`telemetry process exited (${code}) waiting for "${op}": ${this.stderr.join('')}`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }
}
