import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { closedPort } from '../probers/helpers/ports';

/** Debian's prometheus package (scripts/test-deps.sh installs it). */
export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query through the HTTP API (/api/v1/query), now or at `time` (Unix seconds). */
  query(promql: string, time?: number): Promise<Sample[]>;
  /** GET on another API path, answered as its `data`. */
  api<T>(path: string): Promise<T>;
  /** What Prometheus wrote to stderr, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? response.status}`);
  return body.data;
}

async function untilReady(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts a real Prometheus on a free loopback port with `config`, in a fresh data directory. */
export async function startPrometheus(config: object): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(PROMETHEUS, [
    `--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilReady(url, child);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return {
    url,
    query: async (promql, time) => {
      const at = time === undefined ? '' : `&time=${time}`;
      const data = await getJson<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`${url}/api/v1/query?query=${encodeURIComponent(promql)}${at}`);
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    api: (path) => getJson(`${url}${path}`),
    log: () => stderr,
    stop,
  };
}

/**
 * Polls `check` until it returns a value (not undefined), for at most `waitMs`; then fails naming
 * `what`, so a condition that never comes fails the test with a reason instead of its timeout.
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, waitMs = 60_000): Promise<T> {
  const until = Date.now() + waitMs;
  let last: unknown;
  while (Date.now() < until) {
    const value = await check().catch((err: unknown) => {
      last = err;
      return undefined;
    });
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`never saw ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
