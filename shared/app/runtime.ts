import { loadConfig, type Settings } from '../config/load';
import type { Target } from '../config/target';
import { configureIdleRegistry, idleRegistry } from '../idle/default-registry';
import type { RunStatus } from '../idle/registry';
import type { ProbeResult } from '../probers/result';
import type { ProbeOptions } from '../probers/types';
import type { ProberMap } from '../runner';
import { connectOutbox, connectStateStore, type StateStore } from '../state';
import { initTelemetry, type Telemetry } from '../telemetry';

/** The part of the idle registry the triggers drive (shared/idle's IdleRegistry). */
export interface IdleDriver {
  tick(targets: readonly Target[], options: ProbeOptions, signal?: AbortSignal): Promise<ProbeResult[]>;
  /** Starts an idle run under the given id (the caller saved its record first); returns the id. */
  startRun(target: Target, options: ProbeOptions, rungs: readonly number[] | undefined, id: string): string;
  status(id: string): RunStatus | undefined;
}

/** Everything a trigger needs, built once per process: config, where results go, the idle registry. */
export interface AppRuntime {
  settings: Settings;
  targets: Target[];
  /** Targets that failed validation, one line each; they are skipped, the others run. */
  problems: string[];
  store: StateStore;
  telemetry: Telemetry;
  /** The probers by name; the registry's (shared/probers PROBERS) by default. */
  probers?: ProberMap;
  idle?: IdleDriver;
  /** How often the process holding an HTTP-started idle run checks it; 2 s by default. */
  idlePumpMs?: number;
  /** Secrets named by targets are read here; process.env by default. */
  env?: Record<string, string | undefined>;
}

export async function createRuntime(env: Record<string, string | undefined> = process.env): Promise<AppRuntime> {
  const { settings, targets, problems } = loadConfig(env);
  const { store, journal } = await connectStateStore(settings);
  // The process's one registry (the idle and pool probers use it too); with storage, its journal lives there.
  const idle = journal ? await configureIdleRegistry({ journal }) : idleRegistry();
  // The secrets to scrub are read from the same env as the targets' settings, not process.env.
  // Undelivered telemetry waits in the storage account, so it outlives this instance.
  return { settings, targets, problems, store, telemetry: initTelemetry(settings, { env, outbox: connectOutbox(settings) }), idle, env };
}

let shared: Promise<AppRuntime> | undefined;

/** This process's runtime, from app settings; a failed start (bad settings) is retried on the next call. */
export function processRuntime(): Promise<AppRuntime> {
  shared ??= createRuntime().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return shared;
}
