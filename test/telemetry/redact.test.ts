// The last line of defence before results leave the process: known secrets are scrubbed from every
// result and verdict change, whichever sink gets them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeFromEnv } from '../../shared/app';
import { loadConfig, secretsOf } from '../../shared/config';
import { initTelemetry, scrubSecrets } from '../../shared/telemetry';
import { telemetrySettings } from './settings';
import { idleTick, loginFailure } from '../helpers/results';

const PASSWORD = 'Pa55w0rd-for-redaction-9c2d';
const SP_SECRET = 'sp~Secret.value_4411';
const TOKEN = 'token-value-no-jwt-shape-77aa';

const none = telemetrySettings();

const targetsEnv = {
  SQLPROBE_TARGETS: JSON.stringify([
    { name: 'orders', server: 'orders.database.windows.net', database: 'orders', auth: { type: 'sql', user: 'probe', passwordSetting: 'ORDERS_PASSWORD' } },
    { name: 'billing', server: 'billing.database.windows.net', database: 'billing', auth: { type: 'service-principal', tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002', secretSetting: 'BILLING_SP_SECRET' } },
    { name: 'hr', server: 'hr.database.windows.net', database: 'hr', auth: { type: 'access-token', tokenSetting: 'HR_TOKEN' } },
    { name: 'unset', server: 'unset.database.windows.net', database: 'x', auth: { type: 'sql', user: 'probe', passwordSetting: 'NOT_SET' } },
    { name: 'mi', server: 'mi.database.windows.net', database: 'x', auth: { type: 'managed-identity' } },
  ]),
  ORDERS_PASSWORD: PASSWORD,
  BILLING_SP_SECRET: SP_SECRET,
  HR_TOKEN: TOKEN,
};

const targetSecrets = (env: Record<string, string | undefined>) => secretsOf(loadConfig(env).targets, env);

describe('secretsOf', () => {
  it('reads the value of every secret setting a configured target names', () => {
    expect(targetSecrets(targetsEnv).sort()).toEqual([PASSWORD, SP_SECRET, TOKEN].sort());
  });

  it('finds none without targets; when the configuration does not load, no runtime (and no sink) starts', async () => {
    expect(targetSecrets({})).toEqual([]);
    await expect(runtimeFromEnv({ ...targetsEnv, SQLPROBE_TARGETS: '[{' })).rejects.toThrow(/SQLPROBE_TARGETS: not valid JSON/);
  });
});

describe('scrubSecrets', () => {
  it('replaces a secret wherever it sits, nested in arrays and objects, and leaves the input alone', () => {
    const idle = idleTick();
    idle.idle!.outcomes[0].error = `read ECONNRESET after auth with ${PASSWORD}`;
    const before = JSON.stringify(idle);
    const scrubbed = scrubSecrets(idle, [PASSWORD]);
    expect(scrubbed.idle!.outcomes[0].error).toBe('read ECONNRESET after auth with [redacted]');
    expect(JSON.stringify(scrubbed)).not.toContain(PASSWORD);
    expect(JSON.stringify(idle)).toBe(before);
  });

  it('leaves text without a known secret exactly as it was, secret-looking shapes included', () => {
    // "Password=" would match redact()'s patterns: only strings holding a known secret go through it.
    const r = loginFailure({ error: { ...loginFailure().error!, message: 'Login failed. Check Password=… in your app.' } });
    expect(scrubSecrets(r, [PASSWORD, SP_SECRET])).toEqual(r);
    expect(scrubSecrets(r, [])).toBe(r);
  });

  it('ignores values too short to redact safely, as redact() does', () => {
    const r = loginFailure();
    expect(scrubSecrets(r, ['a', 'lo'])).toEqual(r);
  });
});

describe('initTelemetry', () => {
  it('scrubs results and verdict changes of the targets\' secrets and of the secrets it is given', () => {
    const lines: string[] = [];
    const typed = 'typed-at-a-prompt-1234';
    const telemetry = initTelemetry(none, { print: (line) => lines.push(line), secrets: [...targetSecrets(targetsEnv), typed] });
    for (const secret of [PASSWORD, SP_SECRET, TOKEN, typed]) {
      telemetry.record(loginFailure({ error: { ...loginFailure().error!, message: `Login failed; secret was ${secret}` } }));
    }
    telemetry.recordVerdictChange({ target: 'orders', region: 'westeurope', verdict: 'nat-idle-drop', recommendation: `Rotate ${PASSWORD}` });
    expect(lines).toHaveLength(5);
    for (const line of lines.slice(0, 4)) expect(line).toMatch(/firewall-blocked: Login failed; secret was \[redacted\]$/);
    expect(lines[4]).toMatch(/: Rotate \[redacted\]$/);
    for (const secret of [PASSWORD, SP_SECRET, TOKEN, typed]) expect(lines.join('\n')).not.toContain(secret);
  });
});

describe('the app runtime', () => {
  it('scrubs the secrets of the env it was built from, which need not be process.env', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-runtime-redact-'));
    try {
      const file = join(dir, 'results.jsonl');
      const rt = await runtimeFromEnv({ ...targetsEnv, SQLPROBE_RESULTS_FILE: file });
      expect(process.env.ORDERS_PASSWORD).toBeUndefined();
      rt.telemetry.record(loginFailure({ error: { ...loginFailure().error!, message: `login as probe with ${PASSWORD}` } }));
      await rt.telemetry.shutdown(5000);
      const written = readFileSync(file, 'utf8');
      expect(written).toContain('login as probe with [redacted]');
      expect(written).not.toContain(PASSWORD);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
