import { UsageError } from '../../cli/exit';
import { parseProbesFlag, parseRungsFlag, PASSWORD_ENV, resolveTarget } from '../../cli/target-flags';
import { targetSchema } from '../../shared/config';

const orders = targetSchema.parse({ name: 'orders', server: 'sql1.database.windows.net', database: 'orders', auth: { type: 'sql', user: 'app', passwordSetting: 'ORDERS_PASSWORD' } });

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('resolveTarget', () => {
  it('finds a configured target by name, with --probes overriding its list', () => {
    expect(resolveTarget('orders', {}, [orders])).toBe(orders);
    expect(resolveTarget('orders', { probes: 'tls, login' }, [orders]).probes).toEqual(['tls', 'login']);
  });

  it('builds an ad-hoc SQL-login target whose password setting is SQLPROBE_PASSWORD', () => {
    const t = resolveTarget(undefined, { server: '127.0.0.1', port: '14330', user: 'app', encrypt: 'strict', trustServerCertificate: true }, []);
    expect(t).toMatchObject({ name: 'adhoc', server: '127.0.0.1', port: 14330, database: 'master', encrypt: 'strict', trustServerCertificate: true });
    expect(t.auth).toEqual({ type: 'sql', user: 'app', passwordSetting: PASSWORD_ENV });
    expect(t.probes).toEqual(['dns', 'tcp', 'tls', 'login']);
  });

  it('refuses --probes that log in on a configured target without credentials', () => {
    const edge = targetSchema.parse({ name: 'edge', server: 'sql1.database.windows.net', database: 'orders', probes: ['dns', 'tls'] });
    expect(resolveTarget('edge', { probes: 'tcp,tls' }, [edge]).probes).toEqual(['tcp', 'tls']);
    expect(usage(() => resolveTarget('edge', { probes: 'tls,login' }, [edge]))).toBe('--probes: target "edge" has auth type none: only dns, tcp, tls can run, not login; give the target an auth in its configuration, or leave those probes out of --probes');
  });

  it('stops before the login probe when no --user is given', () => {
    expect(resolveTarget(undefined, { server: 'sql1.database.windows.net' }, []).probes).toEqual(['dns', 'tcp', 'tls']);
    expect(usage(() => resolveTarget(undefined, { server: 'h', probes: 'login' }, []))).toMatch(/^--probes: the login probe needs --user/);
  });

  it.each([
    [{ server: 'h', port: '70000' }, /^--port: expected an integer 1–65535, got "70000"$/],
    [{ server: 'h', port: 'abc' }, /^--port: .*got "abc"$/],
    [{ server: 'h', encrypt: 'false' }, /^--encrypt: expected true or strict .*got "false"$/],
    [{ server: 'tcp:h,1433' }, /^--server: expected a host name .*got "tcp:h,1433"$/],
    [{ server: 'h', probes: 'tls,ping' }, /^--probes: expected one of dns, tcp, tls, login, idle, pool, got "tls,ping"$/],
    [{ server: 'h', caFile: '/nonexistent/ca.pem' }, /^--ca-file: cannot read "\/nonexistent\/ca.pem" \(ENOENT\); give the path to a PEM file$/],
    [{ server: 'h', caFile: '/dev/zero' }, /^--ca-file: cannot read "\/dev\/zero" \(ENOTREG\); give the path to a PEM file$/],
  ])('names the flag and the fix for %o', (flags, message) => {
    expect(usage(() => resolveTarget(undefined, flags, []))).toMatch(message);
  });

  it('explains unknown targets, missing targets and mixed forms', () => {
    expect(usage(() => resolveTarget('billing', {}, [orders]))).toBe('unknown target "billing"; configured targets: orders; or probe ad hoc with --server <host>');
    expect(usage(() => resolveTarget('billing', {}, []))).toMatch(/no targets are configured \(set SQLPROBE_TARGETS or SQLPROBE_TARGETS_FILE\)/);
    expect(usage(() => resolveTarget(undefined, {}, [orders]))).toMatch(/name a configured target .* or probe ad hoc with --server/);
    expect(usage(() => resolveTarget('orders', { port: '1' }, [orders]))).toMatch(/^--port: applies only to an ad-hoc target with --server/);
  });
});

describe('list flags', () => {
  it('parses --rungs into milliseconds', () => {
    expect(parseRungsFlag('5s, 31m')).toEqual([5000, 31 * 60_000]);
    expect(usage(() => parseRungsFlag('5 minutes'))).toMatch(/^--rungs: expected a positive duration .*got "5 minutes"$/);
    expect(usage(() => parseRungsFlag(''))).toMatch(/^--rungs: expected at least one rung/);
  });

  it('parses --probes', () => {
    expect(parseProbesFlag('dns')).toEqual(['dns']);
    expect(usage(() => parseProbesFlag(','))).toMatch(/^--probes: expected at least one of/);
  });
});
