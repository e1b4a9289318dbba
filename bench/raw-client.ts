import * as net from 'node:net';
import * as tls from 'node:tls';
import { clientPrelogin, encodeLogin7, Encryption, MessageSocket, PacketType, PreloginTlsBridge, decodePrelogin } from '../shared/tds';

export interface RawLogin {
  socket: net.Socket;
}

/**
 * A minimal TDS client built on shared/tds: PRELOGIN, optional classic TLS, LOGIN7. Far lighter than
 * a driver, so a benchmark's client side does not limit the server under test.
 */
export async function rawLogin(port: number, user: string, password: string, opts: { tls?: { ca: Buffer } } = {}): Promise<RawLogin> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const io = new MessageSocket(socket);
  io.send(PacketType.PRELOGIN, clientPrelogin({ encryption: opts.tls ? Encryption.ON : Encryption.NOT_SUP }));
  const answer = decodePrelogin((await io.next()).payload);
  const login = encodeLogin7({ user, password });
  if (!opts.tls) {
    io.send(PacketType.LOGIN7, login);
    await io.next();
    io.detach();
    return { socket };
  }
  if (answer.encryption !== Encryption.ON && answer.encryption !== Encryption.REQ) throw new Error('server did not agree to encrypt');
  io.detach();
  const bridge = new PreloginTlsBridge((b) => socket.write(b));
  socket.on('data', (b: Buffer) => bridge.receive(b));
  const secure = tls.connect({ socket: bridge.tlsSide, ca: opts.tls.ca, servername: 'localhost', maxVersion: 'TLSv1.2' });
  await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
  const tdsOverTls = new MessageSocket(secure);
  tdsOverTls.send(PacketType.LOGIN7, login);
  await tdsOverTls.next();
  tdsOverTls.detach();
  return { socket };
}
