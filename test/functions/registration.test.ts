import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_TIMEOUT_MS } from '../../shared/app';

const ENTRY_DIR = join(__dirname, '../../functions');
const entries = readdirSync(ENTRY_DIR).filter((f) => f.endsWith('.ts'));

/** Requires every entry file afresh with app.timer / app.http captured, under the given settings. */
function registrations(env: Record<string, string> = {}) {
  const timers: Record<string, { schedule: string; runOnStartup?: boolean }> = {};
  const https: Record<string, { methods?: string[]; authLevel?: string; route?: string }> = {};
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { app: isolated } = require('@azure/functions') as typeof import('@azure/functions');
      jest.spyOn(isolated, 'timer').mockImplementation((name, options) => void (timers[name] = options));
      jest.spyOn(isolated, 'http').mockImplementation((name, options) => void (https[name] = options));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      for (const file of entries) require(join(ENTRY_DIR, file));
    });
  } finally {
    process.env = saved;
  }
  return { timers, https };
}

describe('function registration', () => {
  it('registers the timers with their default schedules', () => {
    const { timers } = registrations();
    expect(Object.keys(timers).sort()).toEqual(['connectivity', 'idle-tick']);
    expect(timers.connectivity).toMatchObject({ schedule: '0 */5 * * * *' });
    expect(timers['idle-tick']).toMatchObject({ schedule: '0 * * * * *' });
    expect(timers.connectivity.runOnStartup).toBeUndefined();
  });

  it('takes the timer schedules from their settings, and refuses a malformed one', () => {
    const { timers } = registrations({ SQLPROBE_CONNECTIVITY_SCHEDULE: '0 */2 * * * *', SQLPROBE_IDLE_SCHEDULE: '*/30 * * * * *' });
    expect(timers.connectivity.schedule).toBe('0 */2 * * * *');
    expect(timers['idle-tick'].schedule).toBe('*/30 * * * * *');
    expect(() => registrations({ SQLPROBE_CONNECTIVITY_SCHEDULE: '*/5 * * * *' })).toThrow(/SQLPROBE_CONNECTIVITY_SCHEDULE: expected a six-field NCRONTAB schedule/);
  });

  it('registers every HTTP route with function-level auth', () => {
    const { https } = registrations();
    expect(https).toEqual({
      probe: expect.objectContaining({ methods: ['POST'], authLevel: 'function', route: 'probe' }),
      'idle-runs-start': expect.objectContaining({ methods: ['POST'], authLevel: 'function', route: 'idle-runs' }),
      'idle-runs-status': expect.objectContaining({ methods: ['GET'], authLevel: 'function', route: 'idle-runs/{id}' }),
      'idle-runs-cancel': expect.objectContaining({ methods: ['DELETE'], authLevel: 'function', route: 'idle-runs/{id}' }),
      targets: expect.objectContaining({ methods: ['GET'], authLevel: 'function', route: 'targets' }),
    });
  });

  it('keeps only registration entry files directly in functions/ (package.json main is dist/functions/*.js)', () => {
    for (const file of entries) expect(readFileSync(join(ENTRY_DIR, file), 'utf8')).toMatch(/\bapp\.(timer|http)\(/);
  });

  it('agrees with host.json on functionTimeout, which the connectivity round budget assumes', () => {
    const host = JSON.parse(readFileSync(join(__dirname, '../../host.json'), 'utf8')) as { functionTimeout: string };
    const [h, m, s] = host.functionTimeout.split(':').map(Number);
    expect(((h * 60 + m) * 60 + s) * 1000).toBe(FUNCTION_TIMEOUT_MS);
  });
});

it('refuses to register a timer whose schedule croner cannot read, never fires, or ticks the connectivity round under every 10 s', () => {
  expect(() => registrations({ SQLPROBE_CONNECTIVITY_SCHEDULE: 'a b c d e f' })).toThrow(/SQLPROBE_CONNECTIVITY_SCHEDULE: expected a six-field NCRONTAB schedule .*: configuration entry 0 \(a\) contains illegal characters/);
  expect(() => registrations({ SQLPROBE_CONNECTIVITY_SCHEDULE: '0 0 0 31 2 *' })).toThrow(/SQLPROBE_CONNECTIVITY_SCHEDULE: never fires/);
  expect(() => registrations({ SQLPROBE_CONNECTIVITY_SCHEDULE: '*/5 * * * * *' })).toThrow(/SQLPROBE_CONNECTIVITY_SCHEDULE: fires 5 s apart at its closest/);
  expect(() => registrations({ SQLPROBE_IDLE_SCHEDULE: '99 * * * * *' })).toThrow(/SQLPROBE_IDLE_SCHEDULE: .*Invalid value for second: 99/);
});
