import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { localEndpoint, serveLocal } from '../../cli/serve/endpoint';
import type { LocalServer } from '../../cli/serve/server';
import { StatusModel } from '../../cli/status/model';
import { CHART_PATH, MAX_STREAMS, pageRoutes, statusRoutes } from '../../cli/status/routes';
import { statusSchema } from '../../cli/status/schema';
import { ConfigError, loadConfig, targetSchema } from '../../shared/config';
import { result } from '../helpers/results';

const target = targetSchema.parse({ name: 'demo-proxy', server: '127.0.0.1', database: 'appdb' });

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A GET with the headers given (the Host header among them), read to the end. */
function request(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** Opens the live stream; `next` resolves with each event's data as it arrives. */
function stream(url: string): Promise<{ res: IncomingMessage; next: () => Promise<string>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      const events: string[] = [];
      const waiting: ((data: string) => void)[] = [];
      let buffer = '';
      res.on('data', (d: Buffer) => {
        buffer += d.toString();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data !== undefined) (waiting.shift() ?? ((x: string) => events.push(x)))(data);
        }
      });
      resolve({ res, next: () => (events.length ? Promise.resolve(events.shift()!) : new Promise((r) => waiting.push(r))), close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

describe('the status page server', () => {
  let model: StatusModel;
  let server: LocalServer;

  beforeEach(async () => {
    model = new StatusModel([target], { region: 'local', demo: false });
    server = await serveLocal({ host: '127.0.0.1', port: 0, loopback: true }, statusRoutes(model), () => {});
  });
  afterEach(() => server.close());

  it('serves the page with a policy that forbids loading anything from another host', async () => {
    const page = await request(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'.*connect-src 'self'/);
    expect(page.body).toContain(`src="${CHART_PATH.slice(1)}"`);
    // Every script and stylesheet the page names is a relative path this server answers.
    for (const [, ref] of page.body.matchAll(/(?:src|href)="([^"#]+)"/g)) {
      expect(ref).not.toMatch(/^[a-z]+:|^\/\//);
      expect((await request(`${server.url}/${ref}`)).status).toBe(200);
    }
    const chart = await request(`${server.url}${CHART_PATH}`);
    expect(chart.headers['content-type']).toMatch(/^text\/javascript/);
    expect(chart.body).toContain('Chart');
  });

  it('answers /api/status with JSON that validates against the status schema', async () => {
    model.record(result({ target: 'demo-proxy' }));
    const reply = await request(`${server.url}/api/status`);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    const status = statusSchema.parse(JSON.parse(reply.body));
    expect(status.targets[0].latest[0].target).toBe('demo-proxy');
    expect(status.revision).toBe(1);
  });

  it('streams the revision at once and after changes, one event per burst', async () => {
    const events = await stream(`${server.url}/api/events`);
    try {
      expect(events.res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(await events.next()).toBe('0');
      for (let i = 0; i < 5; i += 1) model.record(result({ target: 'demo-proxy' }));
      expect(await events.next()).toBe('5');
    } finally {
      events.close();
    }
  });

  it(`refuses a live stream beyond ${MAX_STREAMS} at once`, async () => {
    const open = await Promise.all(Array.from({ length: MAX_STREAMS }, () => stream(`${server.url}/api/events`)));
    try {
      expect(open.every((s) => s.res.statusCode === 200)).toBe(true);
      const refused = await request(`${server.url}/api/events`);
      expect(refused.status).toBe(503);
      expect(refused.body).toContain(`${MAX_STREAMS} pages already follow this status`);
    } finally {
      for (const s of open) s.close();
    }
  });

  it('answers only requests addressed to this machine (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    expect((await request(`${server.url}/api/status`, { host: `localhost:${port}` })).status).toBe(200);
    const foreign = await request(`${server.url}/api/status`, { host: `rebound.example:${port}` });
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toContain('demo-proxy');
  });

  it('says which files are missing when the page was not copied next to the build', () => {
    expect(() => pageRoutes('/nonexistent/page')).toThrow(/status page's files are missing from \/nonexistent\/page; build with "npm run build"/);
  });
});

describe('the port sqlprobe start serves on', () => {
  const defaults = { SQLPROBE_METRICS_HOST: '127.0.0.1' };

  it('is off unless a port is set; the flag wins over the setting; loopback by default', () => {
    expect(localEndpoint(defaults, {})).toBeUndefined();
    expect(localEndpoint({ ...defaults, SQLPROBE_METRICS_PORT: 9464 }, {})).toEqual({ host: '127.0.0.1', port: 9464, loopback: true });
    expect(localEndpoint({ ...defaults, SQLPROBE_METRICS_PORT: 9464 }, { metricsPort: '9500', metricsHost: '0.0.0.0' })).toEqual({ host: '0.0.0.0', port: 9500, loopback: false });
  });

  it('names the flag or the setting and the fix for a bad value', () => {
    expect(() => localEndpoint(defaults, { metricsPort: '70000' })).toThrow('--metrics-port: expected an integer 0–65535, got "70000"');
    expect(() => localEndpoint(defaults, { metricsPort: '9464', metricsHost: '' })).toThrow(/^--metrics-host: expected an IP address to listen on/);
    expect(() => localEndpoint(defaults, { metricsPort: '9464', metricsHost: 'example.com' })).toThrow(/^--metrics-host: expected an IP address to listen on/);
    expect(() => localEndpoint(defaults, { metricsHost: '0.0.0.0' })).toThrow(/--metrics-host: serves nothing without a port; add --metrics-port/);
    // 0 asks for any free port (sqlprobe start prints the one it got).
    expect(loadConfig({ SQLPROBE_METRICS_PORT: '0' }).settings.SQLPROBE_METRICS_PORT).toBe(0);
    expect(() => loadConfig({ SQLPROBE_METRICS_PORT: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ SQLPROBE_METRICS_PORT: 'http' })).toThrow(/SQLPROBE_METRICS_PORT: expected an integer 0–65535/);
  });

  it('is bad usage, with the fix, when the port is taken; beyond loopback it warns', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(serveLocal({ host: '127.0.0.1', port, loopback: true }, [], () => {})).rejects.toThrow(`cannot serve on 127.0.0.1:${port}: the port is in use; pick another with --metrics-port or SQLPROBE_METRICS_PORT`);
    } finally {
      taken.close();
    }
    const said: string[] = [];
    const open = await serveLocal({ host: '0.0.0.0', port: 0, loopback: false }, [], (l) => said.push(l));
    await open.close();
    expect(said).toEqual([expect.stringMatching(/warning: serving on http:\/\/0\.0\.0\.0:\d+ to the network, without authentication/)]);
  });
});
