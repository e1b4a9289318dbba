import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Target } from '../config';
import { BROWSER_OUTCOMES, type BrowserDetails, type Classification } from '../contract';
import { decodeSsrpResponse, encodeSsrpRequest, type SsrpInstance } from '../tds';
import type { ProbeRecorder } from './recorder';

type Outcome = (typeof BROWSER_OUTCOMES)[number];

const asDetails = (i: SsrpInstance): BrowserDetails['instances'][number] => ({
  name: i.name,
  ...(i.tcp !== undefined ? { tcpPort: i.tcp } : {}),
  ...(i.version ? { version: i.version } : {}),
  ...(i.clustered !== undefined ? { clustered: i.clustered } : {}),
});

/**
 * Asks the SQL Server Browser at `address` for `instance` the way SqlClient and FreeTDS do
 * (CLNT_UCAST_INST), and for its whole list (CLNT_UCAST_EX) in the same breath: the Browser stays
 * silent about an instance it does not know, so only the list tells "not found" from "no answer".
 * Both go again halfway through `timeoutMs`, in case a datagram was lost. Rejects with the signal's
 * reason when it aborts first.
 */
export function askBrowser(address: string, port: number, instance: string, timeoutMs: number, signal: AbortSignal): Promise<BrowserDetails> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    const listed = new Map<string, SsrpInstance>();
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const finish = (outcome: Outcome | Error): void => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      signal.removeEventListener('abort', onAbort);
      socket.close();
      if (outcome instanceof Error) return reject(outcome);
      const found = listed.get(instance.toUpperCase());
      resolve({
        instance, address, port, outcome,
        ...(outcome === 'found' && found?.tcp !== undefined ? { tcpPort: found.tcp } : {}),
        instances: [...listed.values()].map(asDetails),
      });
    };
    const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    const ask = (): void => {
      for (const request of [encodeSsrpRequest({ type: 'instance', instance }), encodeSsrpRequest({ type: 'list' })]) {
        socket.send(request, (err) => err && finish((err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'unreachable' : err));
      }
    };
    socket.on('message', (datagram) => {
      const instances = decodeSsrpResponse(datagram);
      if (!instances) return;
      for (const i of instances) listed.set(i.name.toUpperCase(), i);
      const mine = listed.get(instance.toUpperCase());
      // The instance answer comes first: it was asked first, and a hidden instance answers only that.
      if (mine) finish(mine.tcp === undefined ? 'no-tcp' : 'found');
      else if (instances.length > 0) finish('not-found');
    });
    // A connected UDP socket hears ICMP port unreachable as ECONNREFUSED: nothing listens there.
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED' ? 'unreachable' : err));
    socket.connect(port, address, () => {
      ask();
      timers.push(setTimeout(ask, timeoutMs / 2), setTimeout(() => finish('no-answer'), timeoutMs));
    });
  });
}

const listOf = (b: BrowserDetails): string =>
  b.instances.length ? b.instances.map((i) => `${i.name}${i.tcpPort ? ` (tcp ${i.tcpPort})` : ' (no tcp)'}`).join(', ') : 'no instance';

function failure(rec: ProbeRecorder, b: BrowserDetails, timeoutMs: number): Classification {
  const where = `the SQL Server Browser at ${b.address}:${b.port}/udp`;
  const messages: Record<Exclude<Outcome, 'found'>, string> = {
    'no-answer': `no answer from ${where} within ${timeoutMs} ms`,
    unreachable: `${where} is closed (ICMP port unreachable): the SQL Server Browser is not running there`,
    'not-found': `${where} does not list instance ${b.instance}; it lists ${listOf(b)}`,
    'no-tcp': `${where} lists instance ${b.instance} without a TCP port: TCP/IP is off for it`,
  };
  const outcome = b.outcome as Exclude<Outcome, 'found'>;
  const cls = outcome === 'no-answer' || outcome === 'unreachable' ? 'browser-unreachable' : 'instance-not-found';
  return rec.classify({ class: cls, message: messages[outcome] });
}

/**
 * For a target with an instanceName: asks the Browser at `address` for the instance's port (the
 * `browser` phase) and records it on `rec`, so the connect that follows uses it and a refused
 * connect is blamed on the instance's port. Without an instanceName there is nothing to do.
 */
export async function routeToInstance(rec: ProbeRecorder, target: Target, address: string, timeoutMs: number, signal: AbortSignal): Promise<{ browser?: BrowserDetails; error?: Classification }> {
  const name = target.instanceName;
  if (!name) return {};
  const wait = Math.min(target.browser.timeout, timeoutMs);
  const browser = await rec.time('browser', () => askBrowser(address, target.browser.port, name, wait, signal));
  if (browser.outcome !== 'found' || browser.tcpPort === undefined) return { browser, error: failure(rec, browser, wait) };
  rec.instance = { name, port: browser.tcpPort };
  return { browser };
}
