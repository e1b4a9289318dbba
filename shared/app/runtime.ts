import { loadConfig, secretsOf, type Env, type LoadedConfig, type Settings, type Target } from '../config';
import type { ProbeResult } from '../contract';
import { IdleRegistry, type IdleRegistryOptions, type LeaseRecord, type RunStatus, type Standing } from '../idle';
import type { ProbeOptions } from '../probers';
import type { ProberMap } from '../runner';
import { connectOutbox, connectStateStore, type StateStore } from '../state';
import { initTelemetry, type Telemetry } from '../telemetry';

/** Where a host writes: the Functions InvocationContext has this shape; the CLI writes to its screen. */
export interface Log {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** The part of the idle registry the triggers drive (IdleRegistry). */
export interface IdleDriver {
  /** This process's id in the idle lease. */
  readonly id: string;
  /** One timer tick: does the idle work in the lease holder, nothing anywhere else. */
  tick(targets: readonly Target[], options: ProbeOptions, signal?: AbortSignal): Promise<ProbeResult[]>;
  /** Where the last claim of the lease left this process. */
  standing(): Standing;
  /** Whether this process holds the lease now, without asking storage. */
  holds(): boolean;
  /** This holder's tenure, as run records name it; undefined when it does not hold the lease. */
  tenureId(): string | undefined;
  /** The lease as stored. */
  readLease(): Promise<LeaseRecord | undefined>;
  /** Starts an idle run under the given id (its record is in state storage); the holder only. */
  startRun(target: Target, options: ProbeOptions, rungs: readonly number[] | undefined, id: string): Promise<string>;
  /** Closes a run's connections, settling its open cells as cancelled; false when this process does not hold it. */
  cancelRun(id: string): Promise<boolean>;
  status(id: string): RunStatus | undefined;
  /** Waits for the cohorts still opening. */
  drain(): Promise<void>;
  /** Connections held, for one target or in all. */
  held(target?: string): number;
  /** Closes every held connection and releases the lease (a clean shutdown). */
  close(): Promise<void>;
}

/** Everything a trigger or a command needs, built once per process: config, where results go, the idle registry. */
export interface AppRuntime {
  settings: Settings;
  targets: Target[];
  /** Targets that failed validation, one line each; they are skipped, the others run. */
  problems: string[];
  store: StateStore;
  telemetry: Telemetry;
  idle: IdleDriver;
  /** The app settings: secrets named by targets are read here. */
  env: Env;
  /** The probers by name; the round probers by default (tests pass their own). */
  probers?: ProberMap;
}

/** What a host may bring instead of what the settings would give: the CLI keeps state in memory and has sinks of its own. */
export interface RuntimeParts {
  store?: StateStore;
  telemetry?: Telemetry;
  /** The idle lease's timings, how long finished runs stay in memory, the rung slack (tests scale them to seconds). */
  idle?: Pick<IdleRegistryOptions, 'holder' | 'runs' | 'slackMs'>;
}

/**
 * A runtime from loaded config. State goes to the app's storage account when the settings name
 * one (else memory), telemetry to the sinks the settings choose, scrubbed of every secret the
 * targets' settings hold. The process's idle registry is part of it, with its journal and its
 * lease in storage (in memory without a storage account: one process, always the holder).
 */
export async function createRuntime(config: LoadedConfig, env: Env, parts: RuntimeParts = {}): Promise<AppRuntime> {
  const { settings, targets, problems } = config;
  const connection = parts.store ? { store: parts.store } : await connectStateStore(settings);
  const { journal, lease } = 'kind' in connection ? connection : {};
  const idle = new IdleRegistry({ maxHeld: settings.SQLPROBE_MAX_HELD_CONNECTIONS, ...(journal ? { journal } : {}), ...(lease ? { lease } : {}), ...parts.idle });
  // Undelivered telemetry waits in the storage account, so it outlives this instance.
  const telemetry = parts.telemetry ?? initTelemetry(settings, { secrets: secretsOf(targets, env), outbox: connectOutbox(settings) });
  return { settings, targets, problems, store: connection.store, telemetry, idle, env };
}

/** A runtime from app settings; bad settings reject with a ConfigError that names them. */
export async function runtimeFromEnv(env: Env, parts: RuntimeParts = {}): Promise<AppRuntime> {
  return createRuntime(loadConfig(env), env, parts);
}

let shared: Promise<AppRuntime> | undefined;

/** The Functions host's runtime if a trigger already built it (a shutdown hook must not build one). */
export function startedRuntime(): Promise<AppRuntime | undefined> {
  return shared?.catch(() => undefined) ?? Promise.resolve(undefined);
}

/** The Functions host's runtime, from its app settings; a failed start (bad settings) is retried on the next call. */
export function processRuntime(): Promise<AppRuntime> {
  shared ??= runtimeFromEnv(process.env).catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}
