import type { Phase } from '../../classify/schema';
import type { ProbeRecorder } from '../record';

/** tedious states that open a phase; `LoggedIn` and `Final` close whatever is open. */
const STATE_PHASES: Record<string, Phase> = {
  SentPrelogin: 'prelogin',
  SentTLSSSLNegotiation: 'tls',
  SentLogin7WithStandardLogin: 'login',
  SentLogin7WithFedauth: 'login',
  SentLogin7WithNTLMLogin: 'login',
  ReRouting: 'reroute',
  LoggedInSendingInitialSql: 'initialSql',
};

const STATE_CHANGE = /^State change: \S+ -> (\S+)$/;

/**
 * Turns tedious's state changes (its `debug` events, no debug flags needed), the `secure` event and
 * the connector's DNS/TCP steps into back-to-back phases. After a redirect everything up to the
 * node's login is one `reroute` phase: the second hop.
 */
export class SessionTimeline {
  private open?: { name: Phase; start: number };
  rerouting = false;

  constructor(private readonly rec: ProbeRecorder) {}

  enter(name: Phase, at = performance.now()): void {
    const phase = this.rerouting && name !== 'initialSql' ? 'reroute' : name;
    if (this.open?.name === phase) return;
    this.close(at);
    this.open = { name: phase, start: at };
    this.rec.phase = phase;
  }

  /** Ends the open phase; the recorder keeps it as the current phase, so a failure is attributed to it. */
  close(at = performance.now()): void {
    if (!this.open) return;
    this.rec.mark(this.open.name, this.open.start, at);
    this.open = undefined;
  }

  readonly onDebug = (message: string): void => {
    const state = STATE_CHANGE.exec(message)?.[1];
    if (!state) return;
    if (state === 'LoggedIn' || state === 'Final') return this.close();
    if (state === 'ReRouting') this.rerouting = true;
    const phase = STATE_PHASES[state];
    if (phase) this.enter(phase);
  };
}
