import { createServer, type Server } from 'node:net';

/** A port on 127.0.0.1 that nothing listens on: bound on port 0, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A plain TCP listener on port 0 that counts connections and closes what it accepts on `close`. */
export async function listener(): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const server = createServer((socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
