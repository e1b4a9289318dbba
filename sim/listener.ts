import * as net from 'node:net';
import { timerMs } from '../shared/config';
import type { Fault, ListenerName } from './config';
import type { ListenerState, SimRuntime } from './runtime';
import { Session } from './session';

/** One TCP listener (gateway or node) with its sessions and its current fault. */
export class Listener {
  readonly state: ListenerState;
  readonly sessions = new Set<Session>();
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server;
  port = 0;

  constructor(
    name: ListenerName,
    readonly host: string,
    private readonly requestedPort: number,
    private readonly rt: SimRuntime,
    opts: { idleKill: boolean; route?: ListenerState['route'] },
    private readonly nextSessionId: () => number,
  ) {
    this.state = { name, idleKill: opts.idleKill, route: opts.route };
    this.server = this.createServer();
  }

  private createServer(): net.Server {
    const server = net.createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    server.on('error', () => undefined);
    return server;
  }

  listen(port = this.requestedPort): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  /** Connections open on this port, sessions or not. */
  get connections(): number {
    return this.sockets.size;
  }

  private onConnection(socket: net.Socket): void {
    socket.on('error', () => undefined);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const cap = this.rt.config.maxConnections;
    if (this.rt.connectionCount() >= cap) {
      this.rt.emit({ listener: this.state.name, session: 0, kind: 'fault', detail: `connection cap ${cap} reached: closed ${peer}` });
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const fault = this.state.fault;
    const kind = fault?.kind;
    if (fault?.kind === 'fin' && fault.phase === 'accept') {
      this.rt.emit({ listener: this.state.name, session: 0, kind: 'fault', detail: `fin:accept ${peer}` });
      socket.end();
      return;
    }
    if (kind === 'blackhole' || kind === 'silent-drop') {
      // Read and discard, never answer: the client sees a connected socket that stays quiet, until the pre-login deadline.
      socket.on('data', () => undefined);
      const ms = this.rt.config.preloginTimeoutMs;
      const deadline = setTimeout(() => socket.destroy(), timerMs(ms, 'the pre-login deadline')).unref();
      socket.on('close', () => clearTimeout(deadline));
      this.rt.emit({ listener: this.state.name, session: 0, kind: 'fault', detail: `${kind} ${peer}` });
      return;
    }
    const session = new Session(this.nextSessionId(), this.rt.nextSpid(), socket, this.state, this.rt, (s) => this.sessions.delete(s));
    this.sessions.add(session);
    this.rt.emit({ listener: this.state.name, session: session.id, kind: 'connect', detail: `${session.clientAddress}:${session.clientPort}` });
  }

  async setFault(fault: Fault | undefined): Promise<void> {
    const wasRefusing = this.state.fault?.kind === 'refuse';
    this.state.fault = fault;
    if (fault?.kind === 'refuse' && !wasRefusing) {
      // close() stops accepting at once; its callback would wait for existing connections.
      this.server.close();
      this.server = this.createServer();
    } else if (fault?.kind !== 'refuse' && wasRefusing) {
      await this.listen(this.port);
    }
    if (fault?.kind === 'silent-drop') for (const s of this.sessions) s.silence();
  }

  /** Closes the port and every connection on it, sessions or not. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
