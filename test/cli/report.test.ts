import { InvalidResultError, renderJson } from '../../cli/report/json';
import { phaseBars, phaseSummary, renderProbeReport, resultLine } from '../../cli/report/probe-report';
import { probeResultSchema } from '../../shared/contract';
import { LOGIN_FAILED, result } from '../helpers/results';

describe('phase bars', () => {
  it('draws a waterfall on one time axis: later phases start further right, longer ones are longer', () => {
    const rows = phaseBars(result().phases, undefined, 40);
    const bar = (row: string) => /█+/.exec(row)!;
    const [dns, tcp, , tls, login] = rows.map(bar);
    expect(tcp.index).toBeGreaterThan(dns.index);
    expect(login.index).toBeGreaterThan(tls.index);
    expect(login[0].length).toBeGreaterThan(tcp[0].length);
    expect(rows[3]).toMatch(/^tls\s+█+\s+13 ms$/);
    expect(rows[0]).toMatch(/4\.0 ms$/);
  });

  it('gives every phase at least one cell, even a zero-length one', () => {
    const rows = phaseBars([{ name: 'dns', startMs: 0, durationMs: 0 }, { name: 'tcp', startMs: 0, durationMs: 0 }]);
    for (const row of rows) expect(row).toContain('█');
  });

  it('summarises phases on one line', () => {
    expect(phaseSummary(result().phases)).toBe('dns 4 · tcp 2 · prelogin 1 · tls 13 · login 20 ms');
    expect(phaseSummary([])).toBe('');
  });
});

describe('probe report', () => {
  it('shows each probe with its phases as bars, and a tally', () => {
    const text = renderProbeReport([result({ probe: 'tls', phases: [{ name: 'tls', startMs: 0, durationMs: 9 }], tls: { mode: 'classic', version: 'TLSv1.2' } }), result()]);
    expect(text).toContain('orders  sql1.database.windows.net:1433');
    expect(text).toMatch(/✔ tls\s+40 ms\s+classic TLS TLSv1.2/);
    expect(text).toMatch(/✔ login .*proxy · encrypted/);
    expect(text).toMatch(/prelogin\s+█/);
    expect(text).toContain('all 2 probes succeeded');
  });

  it('names the failure class, phase, number and the recommendation', () => {
    const text = renderProbeReport([result({ success: false, error: LOGIN_FAILED })]);
    expect(text).toContain('✘ login');
    expect(text).toContain('login-failed in login (18456 state 8)');
    expect(text).toContain("Login failed for user 'app'.");
    expect(text).toContain('→ The password is wrong');
    expect(text).toContain(`docs: ${LOGIN_FAILED.docsUrl}`);
    expect(text).toContain('1 of 1 probes failed');
  });

  it('says so when nothing ran', () => {
    expect(renderProbeReport([])).toBe('no probes ran\n');
  });

  it('writes one log line per result', () => {
    expect(resultLine(result())).toBe('12:00:00 orders/login ✔ 40 ms proxy · dns 4 · tcp 2 · prelogin 1 · tls 13 · login 20 ms');
    expect(resultLine(result({ success: false, error: LOGIN_FAILED }))).toBe('12:00:00 orders/login ✘ 40 ms login-failed in login (18456 state 8)');
  });
});

describe('--json', () => {
  it('prints an array that validates against the result schema', () => {
    const parsed: unknown = JSON.parse(renderJson([result(), result({ success: false, error: LOGIN_FAILED })]));
    expect(Array.isArray(parsed)).toBe(true);
    for (const r of parsed as unknown[]) expect(probeResultSchema.safeParse(r).success).toBe(true);
  });

  it('refuses to print a result that breaks the contract', () => {
    expect(() => renderJson([{ ...result(), durationMs: -1 }])).toThrow(InvalidResultError);
  });
});

describe('idle result lines', () => {
  const verdict = { kind: 'inconclusive' as const, text: 'Inconclusive', recommendations: [], findings: [] };
  it('count what settled, or say what is still held', () => {
    const settled = result({ probe: 'idle', phases: [], policy: undefined, idle: { mode: 'held', held: 2, verdict, outcomes: [
      { cohort: 'c', rungMs: 5000, keepalive: 'on', outcome: 'survived' },
      { cohort: 'c', rungMs: 5000, keepalive: 'off', outcome: 'dead-on-use' },
    ] } });
    expect(resultLine(settled)).toBe('12:00:00 orders/idle ✔ 40 ms 2 settled: survived 1, dead-on-use 1');
    const quiet = result({ probe: 'idle', phases: [], policy: undefined, idle: { mode: 'held', held: 8, verdict, outcomes: [] } });
    expect(resultLine(quiet)).toBe('12:00:00 orders/idle ✔ 40 ms holding 8 idle connections');
  });
});
