import { duplexPair, type Duplex } from 'node:stream';
import { encodeMessage, PacketReader, PacketType, type EncodeOptions } from './packet';

const CHANGE_CIPHER_SPEC = 20;

/** True when a run of TLS records contains a ChangeCipherSpec, which starts a side's last handshake flight. */
function hasChangeCipherSpec(records: Buffer): boolean {
  for (let i = 0; i + 5 <= records.length; i += 5 + records.readUInt16BE(i + 3)) {
    if (records[i] === CHANGE_CIPHER_SPEC) return true;
  }
  return false;
}

/**
 * Classic (TDS 7.x) TLS: the handshake travels inside PRELOGIN messages, one message per flight,
 * then records flow raw on the socket. Give `tlsSide` to `new tls.TLSSocket(...)` (server) or
 * `tls.connect({ socket })` (client), pass every socket byte to `receive`, and the bridge writes
 * through `send`. Each direction switches to raw after the flight that carries its
 * ChangeCipherSpec, so the switch does not depend on event timing. Cap TLS at 1.2 on this path:
 * TLS 1.3 hides the flight structure this relies on, and FreeTDS and jTDS fail on it.
 */
export class PreloginTlsBridge {
  readonly tlsSide: Duplex;
  private readonly wire: Duplex;
  private readonly reader = new PacketReader();
  private inputWrapped = true;
  private outputWrapped = true;
  private detached = false;
  private flight: Buffer[] = [];
  private flushQueued = false;

  constructor(
    private readonly send: (bytes: Buffer) => void,
    private readonly packetOptions: EncodeOptions = {},
  ) {
    [this.tlsSide, this.wire] = duplexPair();
    this.wire.on('data', (chunk: Buffer) => this.onTlsOutput(chunk));
    this.wire.on('error', () => undefined);
  }

  /** True once both directions carry raw TLS records. */
  get handshakeDone(): boolean {
    return !this.inputWrapped && !this.outputWrapped;
  }

  /** Bytes read from the socket. Throws TdsDecodeError on a malformed packet during the handshake. */
  receive(bytes: Buffer): void {
    if (this.detached) return;
    if (!this.inputWrapped) {
      this.wire.write(bytes);
      return;
    }
    for (const m of this.reader.push(bytes)) {
      this.wire.write(m.payload);
      if (hasChangeCipherSpec(m.payload)) {
        this.inputWrapped = false;
        const rest = this.reader.takeRemainder();
        if (rest.length > 0) this.wire.write(rest);
        return;
      }
    }
  }

  /** Stops carrying TLS (login-only encryption ends after LOGIN7); later output is dropped. */
  detach(): void {
    this.detached = true;
    this.flight = [];
    this.wire.destroy();
  }

  private onTlsOutput(chunk: Buffer): void {
    if (this.detached) return;
    if (!this.outputWrapped) {
      this.send(chunk);
      return;
    }
    this.flight.push(chunk);
    if (this.flushQueued) return;
    this.flushQueued = true;
    // A flight is written in one burst; setImmediate runs after it, so it goes out as one message.
    setImmediate(() => {
      this.flushQueued = false;
      if (this.detached || this.flight.length === 0) return;
      const records = Buffer.concat(this.flight);
      this.flight = [];
      this.send(encodeMessage(PacketType.PRELOGIN, records, this.packetOptions));
      if (hasChangeCipherSpec(records)) this.outputWrapped = false;
    });
  }
}
