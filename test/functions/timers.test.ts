import type { Timer } from '@azure/functions';
import { connectivityTimer, idleTickTimer } from '../../functions/handlers/timers';
import { targetsHandler } from '../../functions/handlers/targets';
import { FUNCTION_TIMEOUT_MS, roundBudgetMs, type PublicTarget } from '../../shared/app';
import type { Simulator } from '../../sim';
import { SIM_USER, startSim } from '../helpers/sim';
import { body, context, get, SECRET, testRuntime } from './helpers';

const timer = (isPastDue: boolean): Timer => ({ isPastDue, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } });

let sim: Simulator;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startSim();
  env = {
    SQLPROBE_REGION: 'test',
    SQLPROBE_PROBE_TIMEOUT: '5s',
    SIM_PASSWORD: SECRET,
    SQLPROBE_TARGETS: JSON.stringify([
      { name: 'orders', server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', probes: ['dns', 'tcp'], auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' }, tags: { team: 'payments' } },
      { name: 'closed', server: '127.0.0.1', port: 1, database: 'appdb', probes: ['tcp', 'idle'], auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' } },
      { name: 'Broken Name', server: '127.0.0.1', database: 'x' },
    ]),
  };
});

afterAll(() => sim?.stop());

describe('connectivity timer', () => {
  it('runs one round over every target, records and flushes, and logs isPastDue', async () => {
    const rt = testRuntime(env);
    const ctx = context('connectivity');
    await connectivityTimer(async () => rt)(timer(true), ctx);
    expect(rt.telemetry.results.map((r) => `${r.target}/${r.probe}/${r.success}`).sort()).toEqual(['closed/tcp/false', 'orders/dns/true', 'orders/tcp/true']);
    expect(rt.telemetry.flushes).toBe(1);
    expect(ctx.lines.join('\n')).toMatch(/past due/);
    expect(ctx.lines.join('\n')).toMatch(/skipping a target: SQLPROBE_TARGETS\[2\]\.name/);
    expect(ctx.lines.join('\n')).toMatch(/3 result\(s\), 1 failed/);
  });

  it('fails the invocation when the settings are broken', async () => {
    const { runtimeFromEnv } = await import('../../shared/app');
    await expect(connectivityTimer(() => runtimeFromEnv({ SQLPROBE_PROBE_TIMEOUT: 'soon' }))(timer(false), context())).rejects.toThrow(/SQLPROBE_PROBE_TIMEOUT/);
  });

  it('budgets the round to end before the next tick and inside functionTimeout', () => {
    const at = new Date('2025-01-01T00:02:00.000Z');
    // Next tick of "every 5 minutes" is 3 minutes away; 15 s are left for the flush.
    expect(roundBudgetMs('0 */5 * * * *', at)).toBe(180_000 - 15_000);
    expect(roundBudgetMs('0 0 * * * *', at)).toBe(FUNCTION_TIMEOUT_MS - 15_000);
    // A schedule shorter than twice the margin keeps half of each interval for the probes.
    expect(roundBudgetMs('*/15 * * * * *', at)).toBe(7_500);
    expect(roundBudgetMs('*/2 * * * * *', at)).toBe(1_000);
  });
});

describe('idle-tick timer', () => {
  it('reports what the tick settled and says how many, noting a past-due tick', async () => {
    const ctx = context('idle-tick');
    const rt = testRuntime(env);
    try {
      await idleTickTimer(async () => rt)(timer(true), ctx);
      // The one target with the idle probe listens nowhere: its cohort cannot open, which is a result.
      expect(rt.telemetry.results.map((r) => [r.target, r.probe, r.success, r.error?.class])).toEqual([['closed', 'idle', false, 'tcp-refused']]);
      expect(ctx.lines).toEqual([expect.stringMatching(/^information: sqlprobe: idle tick: this process \(\w{8}\) now holds the idle lease for region test$/), 'information: sqlprobe: idle tick reported 1 result(s) (past due)']);
    } finally {
      await rt.idle.close();
    }
  });
});

describe('GET /api/targets', () => {
  it('lists the configured targets without secrets, with their latest results and the problems', async () => {
    const rt = testRuntime(env);
    await connectivityTimer(async () => rt)(timer(false), context());
    const response = await targetsHandler(async () => rt)(get('targets'), context());
    expect(response.status).toBe(200);
    const { targets, problems } = body<{ targets: PublicTarget[]; problems: string[] }>(response);
    expect(targets.map((t) => [t.name, t.results.map((r) => r.probe).sort()])).toEqual([['orders', ['dns', 'tcp']], ['closed', ['tcp']]]);
    expect(targets[0]).toMatchObject({ server: '127.0.0.1', auth: { type: 'sql', user: SIM_USER }, tags: { team: 'payments' } });
    expect(problems).toEqual([expect.stringMatching(/^SQLPROBE_TARGETS\[2\]\.name/)]);
    const text = JSON.stringify(response);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('SIM_PASSWORD');
  });
});
