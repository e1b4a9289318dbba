import { startIdleRunHandler } from '../../functions/handlers/idle-runs';
import { IdleRegistry } from '../../shared/idle';
import { body, context, post, SECRET, testRuntime } from './helpers';

// Nothing listens here: a request the bounds let through would fail to connect, and be counted as held first.
const env = {
  SQLPROBE_REGION: 'test',
  SIM_PASSWORD: SECRET,
  SQLPROBE_TARGETS: JSON.stringify([{ name: 'orders', server: '127.0.0.1', port: 1, database: 'appdb', probes: ['tcp'], auth: { type: 'sql', user: 'probe', passwordSetting: 'SIM_PASSWORD' } }]),
};
const registry = new IdleRegistry();
afterAll(() => registry.close());

async function start(rungs: unknown) {
  const rt = testRuntime(env, { idle: registry });
  const response = await startIdleRunHandler(async () => rt)(post('idle-runs', { target: 'orders', rungs }), context());
  return { response, held: registry.held('orders') };
}

describe('POST /api/idle-runs: bounded rungs, count and total held time', () => {
  it('refuses a rung of 600 hours (it held the target\'s connection slots for 600 h), holding nothing', async () => {
    const { response, held } = await start(['600h']);
    expect(response.status).toBe(400);
    expect(body(response).issues).toEqual([expect.objectContaining({
      path: ['rungs', 0],
      message: 'expected a duration from 100ms to 4h (an idle rung: the timers it looks for are minutes to an hour), such as "31m"',
    })]);
    expect(held).toBe(0);
  });

  it('refuses 100,000 rungs (it accepted them, expecting 200,000 connections) before parsing them', async () => {
    const { response } = await start(Array(100_000).fill('5m'));
    expect(response.status).toBe(413);
  });

  it('refuses more than 24 rungs, and rungs that add up to more than 12 hours', async () => {
    const many = await start(Array(25).fill('1m'));
    expect(many.response.status).toBe(400);
    expect(JSON.stringify(body(many.response).issues)).toContain('expected at most 24 rungs');
    const long = await start(['4h', '4h', '4h', '1h']);
    expect(long.response.status).toBe(400);
    expect(JSON.stringify(body(long.response).issues)).toContain('expected rungs adding up to at most 12h (these add up to 13h');
    expect(registry.held('orders')).toBe(0);
  });
});
