import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { decodeSsrpRequest, encodeSsrpDacResponse, encodeSsrpResponse, type SsrpInstance } from '../shared/tds';
import type { SimConfig } from './config';
import type { SimRuntime } from './runtime';

/** SQL Server 2022's version string, as a Browser on it reports its instances. */
const VERSION = '16.0.1000.6';

/**
 * The SQL Server Browser: answers MC-SQLR on UDP. A request for one instance it does not know goes
 * unanswered, as the real Browser does; a request for the list gets every instance. Instances listen
 * on the gateway port unless configured otherwise.
 */
export class Browser {
  private readonly socket: Socket;
  port = 0;

  constructor(
    private readonly config: SimConfig,
    private readonly rt: SimRuntime,
    private readonly gatewayPort: () => number,
  ) {
    this.socket = createSocket(isIP(config.host) === 6 ? 'udp6' : 'udp4');
    this.socket.on('message', (datagram, from) => this.answer(datagram, from));
    this.socket.on('error', () => undefined);
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(this.config.browserPort, this.config.host, () => {
        this.socket.off('error', reject);
        this.port = this.socket.address().port;
        resolve();
      });
    });
  }

  private instances(): SsrpInstance[] {
    return this.config.instances.map((i) => ({
      serverName: this.config.windows.computer,
      name: i.name,
      clustered: false,
      version: VERSION,
      ...(i.tcpPort === 'off' ? {} : { tcp: i.tcpPort ?? this.gatewayPort() }),
      np: `\\\\${this.config.windows.computer}\\pipe\\MSSQL$${i.name}\\sql\\query`,
    }));
  }

  private answer(datagram: Buffer, from: { address: string; port: number }): void {
    const request = decodeSsrpRequest(datagram);
    const client = `${from.address}:${from.port}`;
    if (!request) return this.emit(`ignored a datagram from ${client}`);
    const all = this.instances();
    const one = request.type === 'list' ? undefined : all.find((i) => i.name.toUpperCase() === request.instance.toUpperCase());
    if (request.type !== 'list' && !one) return this.emit(`${request.type} ${request.instance} from ${client}: unknown, no answer`);
    const reply = request.type === 'list' ? encodeSsrpResponse(all) : request.type === 'dac' ? encodeSsrpDacResponse(one?.tcp ?? 0) : encodeSsrpResponse([one as SsrpInstance]);
    this.emit(`${request.type === 'list' ? 'list' : `${request.type} ${request.instance}`} from ${client}: ${request.type === 'list' ? `${all.length} instance(s)` : `tcp ${one?.tcp ?? 'off'}`}`);
    this.socket.send(reply, from.port, from.address);
  }

  private emit(detail: string): void {
    this.rt.emit({ listener: 'browser', session: 0, kind: 'browser', detail });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
