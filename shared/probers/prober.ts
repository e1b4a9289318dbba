import type { TokenCredential } from '@azure/identity';
import type { Env, Target } from '../config';
import type { ProbeResult } from '../contract';

/** What a prober needs besides its target; everything here comes from settings or the runner. */
export interface ProbeOptions {
  /** The run location written into every result. */
  region: string;
  /** The deadline the runner enforces through the signal; probers use it for their own socket timeouts. */
  timeoutMs: number;
  /** DNS servers ("ip" or "ip:port"); the system resolver when absent. */
  dnsServers?: string[];
  /** Where secrets named by the target (passwordSetting …) are read from: the app's settings. */
  env: Env;
  /** Returns the shared TokenCredential for an identity, so tokens are cached across probes. */
  credentialFor?: (target: Target) => TokenCredential | undefined;
  /**
   * Ask the login prober for server facts (SPID, EngineEdition, Updateability, DB_NAME), fetched in
   * the same batch as the query. Always on for failover-group and expect.readOnly targets.
   */
  facts?: boolean;
  /** Audit every TLS version the server accepts even without expect.minTls (`sqlprobe probe --tls-audit`). */
  tlsAudit?: boolean;
}

/**
 * Every prober has this one signature (blackbox_exporter's ProbeFn is the model). A prober never
 * throws: failures come back as a result with `success: false` and a classified `error`. When the
 * signal aborts it settles promptly with a timeout in the phase it was in.
 */
export type Prober = (target: Target, options: ProbeOptions, signal: AbortSignal) => Promise<ProbeResult>;
