import { connect, createServer, type Server } from 'node:net';

export interface DelayingProxy {
  server: Server;
  port: number;
  /** Server flights the clients waited for since the last reset: see `startDelayingProxy`. */
  flights(): number;
  resetFlights(): void;
  close(): Promise<void>;
}

/**
 * A loopback proxy that holds every server-to-client chunk for `delayMs`: one delay per flight the
 * client waits for, TLS handshake flights included (the simulator's own latency setting delays only
 * TDS messages). It also counts those flights: a flight is the server's data that follows the
 * client's, on one connection (the first server data on a connection opens one too). Counting them
 * here, rather than dividing a duration by the delay, keeps the client's own CPU time from reading
 * as extra round trips.
 */
export async function startDelayingProxy(upstreamPort: number, delayMs: number): Promise<DelayingProxy> {
  let flights = 0;
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    let clientSpokeLast = true;
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.on('data', (chunk) => {
      if (clientSpokeLast) flights++;
      clientSpokeLast = false;
      setTimeout(() => client.write(chunk), delayMs);
    });
    client.on('data', (chunk) => {
      clientSpokeLast = true;
      upstream.write(chunk);
    });
    upstream.on('close', () => setTimeout(() => client.destroy(), delayMs));
    client.on('close', () => upstream.destroy());
    upstream.on('error', () => undefined);
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as { port: number }).port,
    flights: () => flights,
    resetFlights: () => {
      flights = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
