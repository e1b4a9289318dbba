import { HttpRequest, type HttpResponseInit, InvocationContext } from '@azure/functions';
import type { AppRuntime } from '../../shared/app';
import { loadConfig } from '../../shared/config';
import type { ProbeResult, VerdictChange } from '../../shared/contract';
import { IdleRegistry } from '../../shared/idle';
import { MemoryStateStore } from '../../shared/state';
import type { Telemetry } from '../../shared/telemetry';

export { SIM_PASSWORD as SECRET } from '../helpers/sim';

/** Telemetry that keeps what it was given, and counts flushes. */
export function recordingTelemetry(): Telemetry & { results: ProbeResult[]; changes: VerdictChange[]; flushes: number } {
  const t = {
    results: [] as ProbeResult[],
    changes: [] as VerdictChange[],
    flushes: 0,
    record: (r: ProbeResult) => t.results.push(r),
    recordVerdictChange: (c: VerdictChange) => t.changes.push(c),
    flush: async () => {
      t.flushes++;
      return true;
    },
    shutdown: async () => true,
  };
  return t;
}

/** A runtime from the given app settings, with memory state and recording telemetry. */
export function testRuntime(env: Record<string, string | undefined>, extra: Partial<Omit<AppRuntime, 'telemetry'>> = {}): AppRuntime & { telemetry: ReturnType<typeof recordingTelemetry> } {
  const { settings, targets, problems } = loadConfig(env);
  const idle = new IdleRegistry({ maxHeld: settings.SQLPROBE_MAX_HELD_CONNECTIONS });
  return { settings, targets, problems, store: new MemoryStateStore(), telemetry: recordingTelemetry(), idle, env, ...extra };
}

/** A real InvocationContext whose log lines are kept. */
export function context(functionName = 'test'): InvocationContext & { lines: string[] } {
  const lines: string[] = [];
  const ctx = new InvocationContext({ functionName, logHandler: (level, ...args) => lines.push(`${level}: ${args.join(' ')}`) });
  return Object.assign(ctx, { lines });
}

export function post(route: string, body: unknown): HttpRequest {
  return new HttpRequest({ method: 'POST', url: `http://localhost/api/${route}`, body: { string: typeof body === 'string' ? body : JSON.stringify(body) }, headers: { 'content-type': 'application/json' } });
}

export function get(route: string, params: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({ method: 'GET', url: `http://localhost/api/${route}`, params });
}

export function del(route: string, params: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({ method: 'DELETE', url: `http://localhost/api/${route}`, params });
}

/** The JSON body of a handler's answer (handlers answer with jsonBody). */
export const body = <T = Record<string, unknown>>(response: HttpResponseInit): T => response.jsonBody as T;
