import type { Socket } from 'node:net';
import { timerMs } from '../shared/config';
import {
  decodeAuthenticate,
  decodeLogin7,
  decodePrelogin,
  decodeRpc,
  decodeSqlBatch,
  DEFAULT_PACKET_SIZE,
  encodePrelogin,
  encodeSspiToken,
  Encryption,
  MAX_PACKET_SIZE,
  MIN_PACKET_SIZE,
  negotiateEncryption,
  negotiateTdsVersion,
  ntlmMessageType,
  NtlmType,
  PacketStatus,
  PacketType,
  ProcId,
  TdsVersion,
  type EncryptionOutcome,
  type Login7,
  type ServerMessage,
  type TdsMessage,
} from '../shared/tds';
import type { LogicalServer } from './config';
import { loginError, sqlError } from './errors';
import { decideLogin } from './login';
import { issueChallenge, verifyAuthenticate } from './ntlm';
import { isSessionSetup, planBatch, type Plan } from './query';
import { attentionAck, failure, loginSuccess, responseEnd, statementTokens } from './responses';
import type { ListenerState, SimRuntime } from './runtime';
import { Transport } from './transport';

export type SessionState = 'prelogin' | 'tls' | 'login' | 'ready' | 'closed' | 'sspi';

const SERVER_SETTING = { off: Encryption.OFF, on: Encryption.ON, notsup: Encryption.NOT_SUP } as const;

/** One client connection: PRELOGIN, optional TLS, LOGIN7, then requests until it closes. */
export class Session {
  state: SessionState = 'prelogin';
  readonly connectedAt = new Date();
  lastRequestAt = new Date();
  encryption: EncryptionOutcome | 'strict' = 'none';
  server?: LogicalServer;
  user?: string;
  database?: string;
  private tdsVersion: number = TdsVersion.V7_4;
  private packetSize = DEFAULT_PACKET_SIZE;
  private readonly transport: Transport;
  private idleTimer?: NodeJS.Timeout;
  private loginDeadline?: NodeJS.Timeout;
  private request?: { timer?: NodeJS.Timeout; rpc: boolean; tokens: Buffer[] };
  private closeAfterSetup = false;
  /** Between the NTLM challenge and the client's answer: the LOGIN7 and the nonce it must prove. */
  private ntlm?: { login: Login7; serverChallenge: Buffer };

  constructor(
    readonly id: number,
    readonly spid: number,
    socket: Socket,
    readonly listener: ListenerState,
    private readonly rt: SimRuntime,
    private readonly onClosed: (s: Session) => void,
  ) {
    this.transport = new Transport(
      socket,
      {
        onMessage: (m) => this.onMessage(m),
        onTlsStart: (mode) => {
          if (mode === 'strict') this.encryption = 'strict';
          this.event('tls', mode);
          if (this.faultIs('rst', 'tls')) this.kill('rst', 'fault rst:tls');
          else if (this.faultIs('fin', 'tls')) this.kill('fin', 'fault fin:tls');
        },
        onSecure: () => {
          if (this.state === 'tls') this.state = 'login';
        },
        onEnd: (reason) => this.closed(reason),
      },
      { strict: rt.config.strict, contexts: rt.contexts, latencyMs: rt.config.latencyMs },
    );
    this.resetIdle();
    const ms = rt.config.preloginTimeoutMs;
    this.loginDeadline = setTimeout(() => this.kill('fin', `no login within the ${ms} ms pre-login deadline`), timerMs(ms, 'the pre-login deadline'));
    this.loginDeadline.unref();
  }

  get clientAddress(): string {
    return (this.transport.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  }

  get clientPort(): number {
    return this.transport.socket.remotePort ?? 0;
  }

  private faultIs(kind: string, phase?: string): boolean {
    const f = this.listener.fault;
    return f?.kind === kind && (phase === undefined || ((f.kind === 'rst' || f.kind === 'fin') && f.phase === phase));
  }

  private event(kind: Parameters<SimRuntime['emit']>[0]['kind'], detail?: string): void {
    this.rt.emit({ listener: this.listener.name, session: this.id, kind, detail });
  }

  private resetIdle(): void {
    this.lastRequestAt = new Date();
    if (!this.listener.idleKill) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.event('idle-kill', `${this.rt.config.idleTimeoutMs}ms ${this.rt.config.idleClose}`);
      this.kill(this.rt.config.idleClose);
    }, timerMs(this.rt.config.idleTimeoutMs, 'the idle timeout'));
    this.idleTimer.unref();
  }

  private send(payload: Buffer, type: number = PacketType.TABULAR_RESULT): void {
    this.transport.send(type, payload, this.packetSize, this.spid);
  }

  /** Ends the session from the server side. */
  kill(how: 'fin' | 'rst', reason?: string): void {
    if (reason) this.event('fault', reason);
    this.transport.close(how);
    this.closed(reason ?? `server ${how}`);
  }

  silence(): void {
    clearTimeout(this.idleTimer);
    this.cancelRequest();
    this.transport.silence();
  }

  private closed(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.idleTimer);
    clearTimeout(this.loginDeadline);
    this.cancelRequest();
    this.event('close', reason);
    this.onClosed(this);
  }

  private onMessage(m: TdsMessage): void {
    this.resetIdle();
    switch (this.state) {
      case 'prelogin':
        if (m.type === PacketType.PRELOGIN) return this.onPrelogin(m.payload);
        // TDS 7.1 clients without encryption (jTDS ssl=off) skip PRELOGIN; a server that requires encryption refuses them.
        if (m.type === PacketType.LOGIN7 && !(this.rt.contexts && this.rt.config.encrypt === 'on')) return this.onLogin(m.payload);
        return this.kill('fin', `expected PRELOGIN, got 0x${m.type.toString(16)}`);
      case 'login':
        return m.type === PacketType.LOGIN7 ? this.onLogin(m.payload) : this.kill('fin', `expected LOGIN7, got 0x${m.type.toString(16)}`);
      case 'sspi':
        return m.type === PacketType.SSPI ? this.onSspi(m.payload) : this.kill('fin', `expected an SSPI message, got 0x${m.type.toString(16)}`);
      case 'ready':
        return this.onRequest(m);
      default:
        return this.kill('fin', `unexpected message in state ${this.state}`);
    }
  }

  private onPrelogin(payload: Buffer): void {
    if (this.faultIs('rst', 'prelogin')) return this.kill('rst', 'fault rst:prelogin');
    if (this.faultIs('fin', 'prelogin')) return this.kill('fin', 'fault fin:prelogin');
    const request = decodePrelogin(payload);
    // Under TDS 8.0 the session is already encrypted: no second TLS inside PRELOGIN.
    const strict = this.encryption === 'strict';
    const setting = this.rt.contexts && !strict ? SERVER_SETTING[this.rt.config.encrypt] : Encryption.NOT_SUP;
    const { response, outcome } = strict ? { response: Encryption.NOT_SUP, outcome: 'none' as const } : negotiateEncryption(request.encryption, setting);
    if (!strict) this.encryption = outcome;
    this.event('prelogin', `client=${request.encryption ?? 'none'} answer=${response} ${this.encryption}`);
    const answer = encodePrelogin({
      version: { major: 12, minor: 0, build: 2000, subbuild: 8 },
      encryption: response,
      instance: '',
      threadId: 0,
      mars: 0,
      fedAuthRequired: request.fedAuthRequired !== undefined ? 1 : undefined,
    });
    // A hostile server: the first option's offset points past the end of the message.
    if (this.faultIs('bad-prelogin')) answer.writeUInt16BE(answer.length + 64, 1);
    const slow = this.listener.fault?.kind === 'slow-start' ? this.listener.fault.delayMs : 0;
    this.transport.send(PacketType.TABULAR_RESULT, answer, DEFAULT_PACKET_SIZE, 0, slow + this.rt.config.latencyMs);
    if (outcome === 'server-closes') return this.kill('fin', 'client cannot encrypt');
    if (this.encryption === 'login-only' || this.encryption === 'full') {
      this.state = 'tls';
      this.transport.startClassicTls();
    } else this.state = 'login';
  }

  private onLogin(payload: Buffer): void {
    if (this.faultIs('rst', 'login')) return this.kill('rst', 'fault rst:login');
    if (this.faultIs('fin', 'login')) return this.kill('fin', 'fault fin:login');
    const login = decodeLogin7(payload);
    if (this.encryption === 'login-only') this.transport.endLoginOnlyTls();
    this.tdsVersion = negotiateTdsVersion(login.tdsVersion);
    if (login.sspi) return this.startNtlm(login);
    this.completeLogin(login);
  }

  /** Windows authentication: LOGIN7 carries an NTLM NEGOTIATE; the server challenges it in an SSPI token. */
  private startNtlm(login: Login7): void {
    if (!login.sspi || ntlmMessageType(login.sspi) !== NtlmType.NEGOTIATE) return this.kill('fin', 'LOGIN7 SSPI data is not an NTLM NEGOTIATE');
    const challenge = issueChallenge(this.rt.config.windows);
    this.ntlm = { login, serverChallenge: challenge.serverChallenge };
    this.state = 'sspi';
    this.event('sspi', `challenge from ${this.rt.config.windows.domain}`);
    this.send(encodeSspiToken(challenge.message));
  }

  /** The client's AUTHENTICATE: verified here, as the domain controller would; then the login goes on. */
  private onSspi(payload: Buffer): void {
    const pending = this.ntlm;
    this.ntlm = undefined;
    if (!pending) return this.kill('fin', 'SSPI message without a challenge');
    const auth = decodeAuthenticate(payload);
    const server = this.rt.serverByName(pending.login.serverName);
    const verdict = verifyAuthenticate(auth, pending.serverChallenge, this.rt.config.windows, server.windowsLogins);
    if (!verdict.ok) {
      const ctx = { server: server.name, database: pending.login.database, user: `${auth.domain}\\${auth.user}`, clientIp: this.clientAddress };
      return this.refuse(server, loginError(18452, ctx), verdict.reason);
    }
    this.event('sspi', `${verdict.proof} verified for ${verdict.account}`);
    this.completeLogin(pending.login, verdict.account);
  }

  private refuse(server: LogicalServer, error: ServerMessage, reason: string): void {
    this.server = server;
    this.event('login-failed', `${error.number} ${reason}`);
    this.send(failure(error, this.tdsVersion));
    // SQL Server closes the connection after a failed login; drivers reconnect to retry.
    this.kill('fin');
  }

  private completeLogin(login: Login7, windowsUser?: string): void {
    const decision = decideLogin(login, this.clientAddress, this.rt, windowsUser);
    this.server = decision.server;
    if (!decision.ok) return this.refuse(decision.server, decision.error, decision.reason);
    this.user = decision.user;
    this.database = decision.database;
    const route = this.listener.route?.();
    const packetSize = Math.min(MAX_PACKET_SIZE, Math.max(MIN_PACKET_SIZE, login.packetSize || DEFAULT_PACKET_SIZE));
    this.send(loginSuccess({ tdsVersion: this.tdsVersion, server: decision.server.name, database: decision.database, packetSize, fedAuth: decision.fedAuth, route }));
    this.packetSize = packetSize;
    if (route) {
      this.event('redirect', `${route.host}:${route.port}`);
      return;
    }
    this.state = 'ready';
    clearTimeout(this.loginDeadline);
    this.event('login', `spid=${this.spid} ${decision.server.name}/${decision.database} as ${decision.user}`);
    if (this.listener.fault?.kind === 'close-after-login') this.closeAfterSetup = true;
  }

  private onRequest(m: TdsMessage): void {
    if (m.type === PacketType.ATTENTION) return this.onAttention();
    if (m.status & PacketStatus.IGNORE) {
      // The client abandoned the message part-way and waits for an (empty) answer to it.
      this.send(Buffer.concat(responseEnd(this.tdsVersion, false, false)));
      return;
    }
    let rpc = false;
    let plan: Plan;
    if (m.type === PacketType.SQL_BATCH) plan = this.plan(decodeSqlBatch(m.payload, this.tdsVersion));
    else if (m.type === PacketType.RPC) {
      rpc = true;
      const req = decodeRpc(m.payload, this.tdsVersion);
      const isExecuteSql = req.proc === ProcId.SP_EXECUTESQL || String(req.proc).toLowerCase() === 'sp_executesql';
      const stmt = req.params[0]?.value;
      plan = isExecuteSql && stmt != null ? this.plan(stmt) : { ok: false, error: { number: 2812, message: `Could not find stored procedure '${req.proc}'.` } };
    } else return this.kill('fin', `unexpected message type 0x${m.type.toString(16)}`);

    const setup = isSessionSetup(plan);
    if (this.closeAfterSetup && !setup) return this.kill('fin', 'fault close-after-login');
    if (!setup && this.faultIs('rst', 'query')) return this.kill('rst', 'fault rst:query');
    this.run(plan, rpc);
    if (this.closeAfterSetup) this.kill('fin', 'fault close-after-login');
  }

  private plan(sql: string): Plan {
    const server = this.server;
    if (!server) return { ok: false, error: { number: 4060, message: 'no database' } };
    return planBatch(sql, { spid: this.spid, database: this.database ?? '', server: server.name, engineEdition: server.engineEdition, readOnly: server.readOnly });
  }

  private run(plan: Plan, rpc: boolean): void {
    if (!plan.ok) {
      this.event('query-error', `${plan.error.number} ${plan.error.message}`);
      this.send(failure(sqlError(plan.error.number, plan.error.message, this.server?.name ?? ''), this.tdsVersion, rpc));
      return;
    }
    this.event('query', plan.statements.map((s) => s.kind).join(','));
    const request: NonNullable<Session['request']> = { rpc, tokens: [] };
    this.request = request;
    const step = (i: number): void => {
      const s = plan.statements[i];
      if (!s) {
        this.request = undefined;
        const last = plan.statements[plan.statements.length - 1];
        this.send(Buffer.concat([...request.tokens, ...responseEnd(this.tdsVersion, rpc, last?.kind === 'select')]));
        return;
      }
      request.tokens.push(...statementTokens(s, this.tdsVersion, rpc, i === plan.statements.length - 1));
      if (s.kind === 'waitfor') {
        request.timer = setTimeout(() => step(i + 1), timerMs(s.ms, 'WAITFOR DELAY'));
        request.timer.unref();
      } else step(i + 1);
    };
    step(0);
  }

  private cancelRequest(): void {
    clearTimeout(this.request?.timer);
    this.request = undefined;
  }

  /**
   * tedious reads the cancelled request's own response first, then a separate message with
   * DONE_ATTN. A request that already finished has had its response, so only the ack follows.
   */
  private onAttention(): void {
    const request = this.request;
    this.event('attention', request ? 'cancelled a running request' : 'nothing running');
    if (request) {
      this.cancelRequest();
      this.send(Buffer.concat([...request.tokens, ...responseEnd(this.tdsVersion, request.rpc, false)]));
    }
    this.send(attentionAck(this.tdsVersion));
  }
}
