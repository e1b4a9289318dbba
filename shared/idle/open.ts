import type { Classification } from '../classify/schema';
import type { Target } from '../config/target';
import { openSession } from '../probers/session/open';
import type { ProbeOptions } from '../probers/types';
import type { HeldSession } from './held-connection';

/** An open that failed, with the login prober's classification of why. */
export class OpenFailed extends Error {
  constructor(readonly classification: Classification) {
    super(classification.message);
    this.name = 'OpenFailed';
  }
}

/** Opens a logged-in connection with the login prober's opener (same TLS, auth, connector and redirect handling). */
export async function openHeldSession(target: Target, options: ProbeOptions, signal: AbortSignal): Promise<HeldSession> {
  const opened = await openSession(target, options, signal);
  if (!opened.ok) throw new OpenFailed(opened.error);
  return { connection: opened.session.connection, policy: opened.session.policy };
}
