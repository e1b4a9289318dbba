// One function-app worker process for the idle-holder tests: builds the runtime from its app settings
// (the environment: Table storage in Azurite, targets, a JSON Lines results file) and, on request over
// IPC, runs the real idle-tick timer handler and the real idle-runs HTTP handlers.
import { HttpRequest, type HttpResponseInit, InvocationContext, type Timer } from '@azure/functions';
import { cancelIdleRunHandler, getIdleRunHandler, startIdleRunHandler } from '../../functions/handlers/idle-runs';
import { idleTickTimer } from '../../functions/handlers/timers';
import { runtimeFromEnv } from '../../shared/app';

export type Request =
  | { op: 'tick' }
  | { op: 'post'; body: unknown }
  | { op: 'get' | 'delete'; id: string }
  | { op: 'close' };

export interface TickReply {
  lines: string[];
  holds: boolean;
  held: number;
}

export interface HttpReply {
  status: number;
  body: unknown;
}

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
const { idle } = JSON.parse(process.argv[2] ?? '{}') as { idle?: { holder?: { ttlMs: number; renewMs: number }; slackMs?: number } };
const runtime = runtimeFromEnv(process.env, idle ? { idle } : {});
const source = () => runtime;

function context(lines: string[] = []): InvocationContext {
  return new InvocationContext({ functionName: 'worker', logHandler: (level, ...args) => lines.push(`${level}: ${args.join(' ')}`) });
}

const http = (response: HttpResponseInit): HttpReply => ({ status: response.status ?? 200, body: response.jsonBody });
const url = (id = '') => `http://localhost/api/idle-runs${id ? `/${id}` : ''}`;

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'tick': {
      const lines: string[] = [];
      await idleTickTimer(source)(timer, context(lines));
      const rt = await runtime;
      return { lines, holds: rt.idle.holds(), held: rt.idle.held() } satisfies TickReply;
    }
    case 'post':
      return http(await startIdleRunHandler(source)(new HttpRequest({ method: 'POST', url: url(), body: { string: JSON.stringify(request.body) } }), context()));
    case 'get':
      return http(await getIdleRunHandler(source)(new HttpRequest({ method: 'GET', url: url(request.id), params: { id: request.id } }), context()));
    case 'delete':
      return http(await cancelIdleRunHandler(source)(new HttpRequest({ method: 'DELETE', url: url(request.id), params: { id: request.id } }), context()));
    case 'close':
      await (await runtime).idle.close();
      return {};
  }
}

process.on('message', (message: { seq: number; request: Request }) => {
  handle(message.request).then(
    (value) => process.send?.({ seq: message.seq, value }),
    (err: unknown) => process.send?.({ seq: message.seq, error: err instanceof Error ? err.stack : String(err) }),
  );
});

runtime.then(
  (rt) => process.send?.({ ready: rt.idle.id }),
  (err: unknown) => {
    process.stderr.write(`worker failed to start: ${String(err)}\n`);
    process.exit(1);
  },
);
