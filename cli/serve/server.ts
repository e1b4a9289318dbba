import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One endpoint of the local HTTP server that `sqlprobe start` opens on request. */
export interface Route {
  path: string;
  handle(request: IncomingMessage, response: ServerResponse, url: URL): void | Promise<void>;
}

export interface LocalServerOptions {
  /** The address to bind; loopback unless the user asked for another explicitly. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  routes: readonly Route[];
}

export interface LocalServer {
  /** `http://host:port`, as bound. */
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
export const isLoopback = (host: string): boolean => LOOPBACK.has(host);

function answer(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}

/**
 * A small HTTP server for the local endpoints (status page, metrics): GET and HEAD only, an exact
 * path match per route. A handler that throws answers 500 without taking the server down.
 * `close` also ends kept-alive and streaming connections, so it never waits on a browser tab.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const routes = new Map(options.routes.map((r) => [r.path, r]));
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = routes.get(url.pathname);
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(response, 405, 'only GET is served here');
    if (!route) return answer(response, 404, `no such page: ${url.pathname}`);
    Promise.resolve()
      .then(() => route.handle(request, response, url))
      .catch((err: unknown) => {
        if (!response.headersSent) answer(response, 500, `sqlprobe: ${err instanceof Error ? err.message : String(err)}`);
        else response.destroy();
      });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
