import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IdleRun, ProbeResult } from '../../shared/contract';
import type { HttpReply, Request, TickReply } from './worker-child';

const ROOT = join(__dirname, '..', '..');
const TS_REGISTER = join(ROOT, 'test', 'helpers', 'ts-register.js');
const CHILD = join(__dirname, 'worker-child.ts');

/** A function-app worker in a process of its own (test/idle/worker-child.ts), driven over IPC. */
export class Worker {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stderr = '';

  private constructor(private readonly child: ChildProcess, readonly id: string, private readonly resultsFile: string) {
    child.on('message', (m: { seq: number; value?: unknown; error?: string }) => {
      const waiter = this.pending.get(m.seq);
      this.pending.delete(m.seq);
      if (m.error !== undefined) waiter?.reject(new Error(m.error));
      else waiter?.resolve(m.value);
    });
    child.once('exit', (code, signal) => {
      for (const w of this.pending.values()) w.reject(new Error(`worker exited (${code ?? signal}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  /** Starts a worker with these app settings; `idle` scales its lease to seconds. */
  static async start(env: Record<string, string>, idle: { holder: { ttlMs: number; renewMs: number }; slackMs: number }): Promise<Worker> {
    const child = fork(CHILD, [JSON.stringify({ idle })], { execArgv: ['-r', TS_REGISTER], env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.stdout?.resume();
    const [ready] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`worker exited (${String(code)}) before it was ready: ${stderr}`);
      }),
    ])) as [{ ready: string }];
    const worker = new Worker(child, ready.ready, env.SQLPROBE_RESULTS_FILE!);
    child.stderr?.on('data', (d: Buffer) => void (worker.stderr += d.toString()));
    return worker;
  }

  private call<T>(request: Request): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ seq, request });
    });
  }

  tick(): Promise<TickReply> {
    return this.call({ op: 'tick' });
  }

  post(body: unknown): Promise<HttpReply & { body: IdleRun }> {
    return this.call({ op: 'post', body });
  }

  get(id: string): Promise<HttpReply & { body: IdleRun }> {
    return this.call({ op: 'get', id });
  }

  delete(id: string): Promise<HttpReply & { body: IdleRun }> {
    return this.call({ op: 'delete', id });
  }

  /** The results it sent to its JSON Lines sink, in order. */
  results(): ProbeResult[] {
    if (!existsSync(this.resultsFile)) return [];
    return readFileSync(this.resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeResult & { event?: string }).filter((r) => !r.event);
  }

  /** kill -9: no shutdown hook, no release, sockets closed by the kernel. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  /** A clean stop, as the host's appTerminate hook makes it: connections closed, the lease released. */
  async stop(): Promise<void> {
    await this.call({ op: 'close' });
    await this.kill();
  }
}
