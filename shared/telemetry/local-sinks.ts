import { appendFile } from 'node:fs/promises';
import type { ProbeResult, VerdictChange } from '../contract';
import { availabilityMessage, testName } from './availability';
import { settleWithin } from './deadline';
import { EVENTS } from './names';
import type { Telemetry } from './types';

/** One readable line per result, for a local run without Application Insights. */
export class ConsoleSink implements Telemetry {
  constructor(private readonly print: (line: string) => void) {}

  record(r: ProbeResult): void {
    this.print(`${r.success ? 'ok  ' : 'FAIL'} ${testName(r)} ${r.region} ${availabilityMessage(r)}`);
  }

  recordVerdictChange(c: VerdictChange): void {
    this.print(`idle ${c.target} ${c.region} verdict ${c.previous ?? 'none'} -> ${c.verdict}: ${c.recommendation}`);
  }

  async flush(): Promise<boolean> {
    return true;
  }

  async shutdown(): Promise<boolean> {
    return true;
  }
}

/**
 * Appends one JSON object per line: each result exactly as the result schema has it, and each
 * verdict change as {event, time, ...change}. Writes are chained, so lines never interleave.
 */
export class JsonLinesSink implements Telemetry {
  private written: Promise<unknown> = Promise.resolve();
  private failed = false;

  constructor(private readonly path: string) {}

  record(r: ProbeResult): void {
    this.append(r);
  }

  recordVerdictChange(c: VerdictChange): void {
    this.append({ event: EVENTS.verdictChanged, time: new Date().toISOString(), ...c });
  }

  async flush(timeoutMs: number): Promise<boolean> {
    const ok = await settleWithin(this.written, timeoutMs);
    return ok && !this.failed;
  }

  shutdown(timeoutMs: number): Promise<boolean> {
    return this.flush(timeoutMs);
  }

  private append(item: object): void {
    const line = `${JSON.stringify(item)}\n`;
    this.written = this.written.then(() => appendFile(this.path, line)).catch(() => {
      this.failed = true;
    });
  }
}
