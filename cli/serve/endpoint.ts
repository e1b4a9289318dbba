import type { z } from 'zod';
import { settingsSchema, type Settings } from '../../shared/config';
import { UsageError } from '../exit';
import { isLoopback, startLocalServer, type LocalServer, type Route } from './server';

/** The flags that override SQLPROBE_METRICS_PORT and SQLPROBE_METRICS_HOST, as commander hands them over. */
export interface EndpointFlags {
  metricsPort?: string;
  metricsHost?: string;
}

export interface Endpoint {
  host: string;
  port: number;
  /** False when the user bound it beyond this machine: nothing on it asks for credentials. */
  loopback: boolean;
}

function flagValue<T>(flag: string, schema: z.ZodType<T>, text: string): T {
  const parsed = schema.safeParse(text);
  if (!parsed.success) throw new UsageError(`${flag}: ${parsed.error.issues[0]?.message ?? 'invalid value'}, got "${text}"`);
  return parsed.data;
}

/**
 * Where `sqlprobe start` serves its HTTP endpoints, or undefined when no port was asked for: the
 * port is opt-in. The flag wins over the setting, both validated alike; the address is loopback
 * unless one of them names another.
 */
export function localEndpoint(settings: Pick<Settings, 'SQLPROBE_METRICS_PORT' | 'SQLPROBE_METRICS_HOST'>, flags: EndpointFlags): Endpoint | undefined {
  const port = flags.metricsPort === undefined
    ? settings.SQLPROBE_METRICS_PORT
    : flagValue('--metrics-port', settingsSchema.shape.SQLPROBE_METRICS_PORT, flags.metricsPort);
  const host = flags.metricsHost === undefined
    ? settings.SQLPROBE_METRICS_HOST
    : flagValue('--metrics-host', settingsSchema.shape.SQLPROBE_METRICS_HOST, flags.metricsHost);
  if (port === undefined) {
    if (flags.metricsHost !== undefined) throw new UsageError('--metrics-host: serves nothing without a port; add --metrics-port (or SQLPROBE_METRICS_PORT), e.g. --metrics-port 9464');
    return undefined;
  }
  return { host, port, loopback: isLoopback(host) };
}

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A route that answers only requests addressed to this machine by name or loopback address. Bound
 * to loopback, a page in the user's browser could otherwise rebind its own DNS name to 127.0.0.1
 * and read the status through it; such a request still carries the page's host name.
 */
export function localOnly(route: Route): Route {
  return {
    path: route.path,
    handle: (request, response, url) => {
      let hostname = '';
      try {
        hostname = new URL(`http://${request.headers.host ?? ''}`).hostname;
      } catch {
        // An unparsable Host header is refused like a foreign one.
      }
      if (LOCAL_NAMES.has(hostname)) return route.handle(request, response, url);
      response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
        .end('sqlprobe: this address answers only to localhost, 127.0.0.1 and [::1]; to serve other names, bind another address with --metrics-host\n');
    },
  };
}

/**
 * Opens the local HTTP server on `endpoint`: a port already taken is bad usage that says what to do,
 * and an address beyond loopback is announced with a warning, since nothing on it asks for credentials.
 * On loopback every route answers only to local names (`localOnly`).
 */
export async function serveLocal(endpoint: Endpoint, routes: readonly Route[], log: (line: string) => void): Promise<LocalServer> {
  let server: LocalServer;
  try {
    server = await startLocalServer({ host: endpoint.host, port: endpoint.port, routes: endpoint.loopback ? routes.map(localOnly) : routes });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is in use; pick another with --metrics-port or SQLPROBE_METRICS_PORT'
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? 'no such address on this machine; check --metrics-host or SQLPROBE_METRICS_HOST'
        : (err as Error).message;
    throw new UsageError(`cannot serve on ${endpoint.host}:${endpoint.port}: ${why}`);
  }
  if (!endpoint.loopback) log(`sqlprobe: warning: serving on ${server.url} to the network, without authentication: anyone who reaches it sees the targets and their results`);
  return server;
}
