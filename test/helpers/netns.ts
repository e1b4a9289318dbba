import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ProbeResult } from '../../shared/contract';
import { describeIfAble } from './strict-ci';

const ROOT = join(__dirname, '..', '..');
/** Lets a child in a namespace load our TypeScript directly (no build step). */
const TS_REGISTER = join(ROOT, 'test', 'helpers', 'ts-register.js');

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** A name unique to this test process, short enough for interface names built from it. */
const uniqueId = () => `${process.pid % 10000}${randomInt(100, 999)}`;

/**
 * Network namespaces of the test's own and the processes it starts in them: both go in `close`.
 * Nothing is ever created on the host's own network.
 */
class Namespaces {
  private readonly names: string[] = [];
  private readonly children = new Set<ChildProcess>();

  /** Adds a namespace with loopback up. */
  protected add(ns: string): void {
    this.names.push(ns);
    run('ip', ['netns', 'add', ns]);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }

  /** Runs a command inside a namespace and returns its output. */
  protected exec(ns: string, ...args: string[]): string {
    return run('ip', ['netns', 'exec', ns, ...args]);
  }

  /** Starts a TypeScript entry point inside a namespace; it is killed by `close`. */
  spawnTs(ns: string, entry: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-r', TS_REGISTER, join(ROOT, entry), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Runs a TypeScript entry point in a namespace with `input` as its JSON argument and parses the JSON it prints. */
  protected runJsonIn<T>(ns: string, entry: string, input: unknown, env: Record<string, string> = {}): Promise<T> {
    const child = this.spawnTs(ns, entry, [JSON.stringify(input)], env);
    const out: string[] = [];
    const err: string[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => err.push(d.toString()));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.join('')) as T) : reject(new Error(`${entry} exited ${code}: ${err.join('')}`))));
    });
  }

  /** Kills what it started and deletes its namespaces (their interfaces go with them). */
  close(): void {
    for (const child of this.children) child.kill('SIGKILL');
    for (const ns of this.names) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // never created, or already gone
      }
    }
  }
}

/** One namespace of the test's own with only loopback, and iptables rules in it: a firewall for the prober. */
export class TestNetns extends Namespaces {
  readonly name = `sqlp-${uniqueId()}-fw`;

  constructor(rules: string[][]) {
    super();
    try {
      this.add(this.name);
      for (const rule of rules) this.exec(this.name, 'iptables', ...rule);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Runs a registered prober inside the namespace and returns its result. */
  probe(probe: string, target: unknown, timeoutMs: number): Promise<ProbeResult> {
    return this.runJsonIn<ProbeResult>(this.name, 'test/helpers/netns-prober-child.ts', { probe, target, timeoutMs });
  }
}

export interface NetlabOptions {
  /** The router's conntrack timeout for established TCP flows: the NAT's idle timeout. */
  natIdleSeconds: number;
}

/**
 * Three network namespaces of the test's own, client ↔ router ↔ server over veth pairs, with a
 * MASQUERADE NAT on the router whose conntrack forgets idle flows after `natIdleSeconds`. Packets
 * of a forgotten flow are INVALID and dropped (no mid-stream pickup), as a NAT gateway drops them.
 * The addresses are a random private /24 that exists only inside these namespaces.
 */
export class Netlab extends Namespaces {
  private readonly id = uniqueId();
  readonly client = `sqlp-${this.id}-cli`;
  readonly router = `sqlp-${this.id}-rtr`;
  readonly server = `sqlp-${this.id}-srv`;
  private readonly net = `10.${randomInt(64, 250)}.${randomInt(0, 255)}`;
  /** The server's address as the client dials it; the client reaches it through the NAT. */
  readonly serverAddress = `${this.net}.6`;

  constructor(options: NetlabOptions) {
    super();
    const { client, router, server, net } = this;
    const link = (ns: string) => `sq${this.id}${ns[ns.length - 3]}`;
    try {
      for (const ns of [client, router, server]) this.add(ns);
      // veth pairs, created in the router and moved out: no interface ever appears on the host.
      for (const [ns, routerIp, peerIp] of [[client, '1', '2'], [server, '5', '6']] as const) {
        run('ip', ['-n', router, 'link', 'add', `${link(ns)}r`, 'type', 'veth', 'peer', 'name', `${link(ns)}p`]);
        run('ip', ['-n', router, 'link', 'set', `${link(ns)}p`, 'netns', ns]);
        run('ip', ['-n', router, 'addr', 'add', `${net}.${routerIp}/30`, 'dev', `${link(ns)}r`]);
        run('ip', ['-n', ns, 'addr', 'add', `${net}.${peerIp}/30`, 'dev', `${link(ns)}p`]);
        run('ip', ['-n', router, 'link', 'set', `${link(ns)}r`, 'up']);
        run('ip', ['-n', ns, 'link', 'set', `${link(ns)}p`, 'up']);
        run('ip', ['-n', ns, 'route', 'add', 'default', 'via', `${net}.${routerIp}`]);
      }
      const inRouter = (...args: string[]) => this.exec(router, ...args);
      inRouter('sysctl', '-qw', 'net.ipv4.ip_forward=1');
      inRouter('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', `${link(server)}r`, '-j', 'MASQUERADE');
      inRouter('iptables', '-A', 'FORWARD', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
      // Per network namespace on this kernel: only the router's conntrack changes.
      inRouter('sysctl', '-qw', `net.netfilter.nf_conntrack_tcp_timeout_established=${options.natIdleSeconds}`);
      inRouter('sysctl', '-qw', 'net.netfilter.nf_conntrack_tcp_loose=0');
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** The router's conntrack timeout as the kernel reports it, to prove the setting took. */
  conntrackTimeout(ns = this.router): number {
    return Number(this.exec(ns, 'sysctl', '-n', 'net.netfilter.nf_conntrack_tcp_timeout_established').trim());
  }

  /** Starts the simulator in the server namespace and resolves once it prints its ready line. */
  async startSim(args: string[]): Promise<ChildProcess> {
    const sim = this.spawnTs(this.server, 'sim/main.ts', ['--host', this.serverAddress, '--port', '1433', ...args]);
    const stderr: string[] = [];
    sim.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const lines = createInterface({ input: sim.stdout! });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the simulator did not start: ${stderr.join('')}`)), 20_000);
      sim.once('exit', (code) => reject(new Error(`the simulator exited (${code}): ${stderr.join('')}`)));
      lines.on('line', (line) => {
        if (!line.startsWith('sqlprobe-sim ready')) return;
        clearTimeout(timer);
        resolve();
      });
    });
    return sim;
  }

  /** Runs a TypeScript entry point in the client namespace and parses the JSON it prints. */
  runJson<T>(entry: string, input: unknown, env: Record<string, string> = {}): Promise<T> {
    return this.runJsonIn<T>(this.client, entry, input, env);
  }
}

/**
 * Whether this machine lets a test build namespaces; the reason when it does not. In CI the tests
 * must fail rather than skip: use describeWithNetns, which turns a reason into a failure there.
 */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  const probe = `sqlp-check-${process.pid}`;
  try {
    run('iptables', ['--version']);
    run('ip', ['netns', 'add', probe]);
    run('ip', ['netns', 'del', probe]);
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

/**
 * describe() for tests that need namespaces of their own: skipped with a warning where none can be
 * made, except in a strict (CI) run, where every test in the block fails with the reason.
 */
export function describeWithNetns(name: string, fn: () => void): void {
  const unavailable = netnsUnavailable();
  describeIfAble(name, unavailable && `cannot create network namespaces (${unavailable})`, fn);
}
