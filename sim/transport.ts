import type { Socket } from 'node:net';
import { duplexPair } from 'node:stream';
import * as tls from 'node:tls';
import { timerMs } from '../shared/config';
import { encodeMessage, PacketReader, PreloginTlsBridge, type TdsMessage } from '../shared/tds';
import type { TlsContexts } from './runtime';

export interface TransportHooks {
  onMessage(m: TdsMessage): void;
  /** First TLS bytes arrived (classic ClientHello or a strict connection's first byte). */
  onTlsStart(mode: 'classic' | 'strict'): void;
  onSecure(mode: 'classic' | 'strict'): void;
  /** Malformed bytes, a TLS failure, or the socket went away. Called once. */
  onEnd(reason: string): void;
}

export interface TransportOptions {
  strict: boolean;
  contexts?: TlsContexts;
  latencyMs: number;
}

const TLS_HANDSHAKE = 0x16;

/**
 * The byte layers under a session: plain TDS, TDS inside TLS (strict, or classic after PRELOGIN),
 * and the switch back to plain after a login-only TLS. Sessions see whole messages only.
 */
export class Transport {
  private readonly reader = new PacketReader();
  private input: (chunk: Buffer) => void = (chunk) => this.first(chunk);
  private output: (bytes: Buffer) => void = (bytes) => this.rawWrite(bytes);
  private tlsSocket?: tls.TLSSocket;
  private bridge?: PreloginTlsBridge;
  private ended = false;
  private silent = false;

  constructor(
    readonly socket: Socket,
    private readonly hooks: TransportHooks,
    private readonly opts: TransportOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.guard(() => this.input(chunk)));
    socket.on('error', (e: NodeJS.ErrnoException) => this.end(`socket ${e.code ?? e.message}`));
    socket.on('close', () => this.end('closed'));
  }

  get encrypted(): boolean {
    return this.tlsSocket !== undefined;
  }

  /** Runs a handler; any exception (a decode error, typically) ends this session only. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.end(`protocol error: ${(e as Error).message}`);
      this.socket.destroy();
    }
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.tlsSocket?.destroy();
    this.bridge?.detach();
    this.hooks.onEnd(reason);
  }

  private first(chunk: Buffer): void {
    if (this.opts.strict && this.opts.contexts && chunk[0] === TLS_HANDSHAKE) {
      this.startStrict(chunk, this.opts.contexts.strict);
      return;
    }
    this.input = (c) => this.plain(c);
    this.plain(chunk);
  }

  private plain(chunk: Buffer): void {
    for (const m of this.reader.push(chunk)) {
      if (this.ended || this.silent) return;
      this.hooks.onMessage(m);
    }
  }

  private rawWrite(bytes: Buffer): void {
    if (!this.silent && !this.socket.destroyed) this.socket.write(bytes);
  }

  private attachTls(t: tls.TLSSocket, mode: 'classic' | 'strict'): void {
    this.tlsSocket = t;
    t.on('secure', () => this.hooks.onSecure(mode));
    t.on('data', (c: Buffer) => this.guard(() => this.plain(c)));
    t.on('error', (e) => {
      this.end(`tls ${e.message}`);
      this.socket.destroy();
    });
    this.output = (bytes) => {
      if (!this.silent && !t.destroyed) t.write(bytes);
    };
  }

  private startStrict(first: Buffer, context: tls.SecureContext): void {
    this.hooks.onTlsStart('strict');
    if (this.ended) return;
    const [tlsSide, wire] = duplexPair();
    wire.on('data', (b: Buffer) => this.rawWrite(b));
    wire.on('error', () => undefined);
    this.attachTls(new tls.TLSSocket(tlsSide, { isServer: true, secureContext: context, ALPNProtocols: ['tds/8.0'] }), 'strict');
    this.input = (c) => wire.write(c);
    wire.write(first);
  }

  /** After a PRELOGIN response that negotiated encryption: the client's next bytes are a ClientHello. */
  startClassicTls(): void {
    const context = this.opts.contexts?.classic;
    if (!context) throw new Error('classic TLS without a certificate');
    const bridge = new PreloginTlsBridge((b) => this.rawWrite(b));
    this.bridge = bridge;
    let started = false;
    this.input = (c) => {
      if (!started) {
        started = true;
        this.hooks.onTlsStart('classic');
        if (this.ended) return;
      }
      bridge.receive(c);
    };
    this.attachTls(new tls.TLSSocket(bridge.tlsSide, { isServer: true, secureContext: context }), 'classic');
  }

  /** Login-only encryption: LOGIN7 came through TLS; everything after it is plain again. */
  endLoginOnlyTls(): void {
    const t = this.tlsSocket;
    this.bridge?.detach();
    this.bridge = undefined;
    this.tlsSocket = undefined;
    t?.removeAllListeners('data');
    t?.on('error', () => undefined);
    t?.destroy();
    this.input = (c) => this.plain(c);
    this.output = (bytes) => this.rawWrite(bytes);
  }

  /** Frames and sends one message, after the configured latency. */
  send(type: number, payload: Buffer, packetSize: number, spid: number, after = this.opts.latencyMs): void {
    const bytes = encodeMessage(type, payload, { packetSize, spid });
    // Bind the channel now: a PRELOGIN answer is followed at once by the switch to TLS, and a
    // delayed write must still leave in the clear.
    const out = this.output;
    if (after > 0) setTimeout(() => out(bytes), timerMs(after, 'the response delay')).unref();
    else out(bytes);
  }

  /** Stops reading and writing without closing, like a peer behind a NAT that dropped the flow. */
  silence(): void {
    this.silent = true;
    this.socket.pause();
    this.input = () => undefined;
  }

  close(how: 'fin' | 'rst'): void {
    if (this.socket.destroyed) return;
    // Nothing the client still sends is answered once the server has decided to close.
    this.input = () => undefined;
    if (how === 'rst') {
      this.socket.resetAndDestroy();
      return;
    }
    // A FIN follows any response still held back by the latency setting.
    const fin = (): void => {
      this.socket.end();
      // A peer that never answers the FIN would keep the socket half-open forever.
      setTimeout(() => this.socket.destroy(), 5000).unref();
    };
    if (this.opts.latencyMs > 0) setTimeout(fin, timerMs(this.opts.latencyMs, 'the latency')).unref();
    else fin();
  }
}
