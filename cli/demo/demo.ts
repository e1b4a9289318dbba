import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetSchema, type Env, type Target, type TargetInput } from '../../shared/config';
import type { Policy } from '../../shared/contract';
import { DEFAULT_LOGIN, start, type Simulator } from '../../sim';
import { selfSignedLocalhost } from './cert';

/** The demo targets read the simulator's default password from this (process-local) setting. */
const PASSWORD_SETTING = 'SQLPROBE_DEMO_PASSWORD';

/** The gateway's 30-minute idle kill, scaled so the demo shows it within a couple of minutes. */
export const DEMO_IDLE_KILL_MS = 60_000;

/**
 * Rungs that bracket the scaled kill on both sides, each with keepalive on and off: the verdict
 * needs a survivor below the timer and a death above it.
 */
const DEMO_RUNGS = ['20s', '45s', '75s', '90s'];

/** Faster schedules than Azure's defaults, so the table fills while a new user watches. */
export const DEMO_SCHEDULES = {
  SQLPROBE_CONNECTIVITY_SCHEDULE: '*/15 * * * * *',
  SQLPROBE_IDLE_SCHEDULE: '*/5 * * * * *',
} as const;

export interface Demo {
  targets: Target[];
  /** What the probes read secrets from: the process environment plus the demo password. */
  env: Env;
  stop: () => Promise<void>;
}

function demoTarget(name: string, sim: Simulator, policy: Policy): Target {
  const input: TargetInput = {
    name,
    server: sim.host,
    port: sim.gatewayPort,
    database: 'appdb',
    auth: { type: 'sql', user: DEFAULT_LOGIN.user, passwordSetting: PASSWORD_SETTING },
    encrypt: true,
    // The demo certificate is self-signed and made at start; there is no CA to check it against.
    trustServerCertificate: true,
    probes: ['dns', 'tcp', 'tls', 'login', 'idle'],
    expect: { policy },
    idle: { rungs: DEMO_RUNGS },
    tags: { demo: 'true' },
  };
  return targetSchema.parse(input);
}

/** Two simulators on loopback (Proxy with a scaled idle kill, and Redirect) and a target for each. */
export async function startDemo(): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-demo-'));
  const sims: Simulator[] = [];
  try {
    const { cert, key } = selfSignedLocalhost();
    const tls = { certFile: join(dir, 'demo.crt'), keyFile: join(dir, 'demo.key') };
    writeFileSync(tls.certFile, cert);
    writeFileSync(tls.keyFile, key, { mode: 0o600 });
    const common = { host: '127.0.0.1', port: 0, nodePort: 0, encrypt: 'off', tls } as const;
    sims.push(await start({ ...common, policy: 'proxy', idleTimeoutMs: DEMO_IDLE_KILL_MS }));
    sims.push(await start({ ...common, policy: 'redirect' }));
  } catch (err) {
    await Promise.all(sims.map((s) => s.stop()));
    throw err;
  } finally {
    // The simulators read the files at start; nothing needs them afterwards.
    rmSync(dir, { recursive: true, force: true });
  }
  const [proxy, redirect] = sims;
  return {
    targets: [demoTarget('demo-proxy', proxy, 'proxy'), demoTarget('demo-redirect', redirect, 'redirect')],
    env: { ...process.env, [PASSWORD_SETTING]: DEFAULT_LOGIN.password },
    stop: async () => {
      await Promise.all(sims.map((s) => s.stop()));
    },
  };
}
