import { localOnly, type Endpoint } from '../serve/endpoint';
import type { Route } from '../serve/server';
import type { StatusModel } from './model';
import { pageRoutes } from './page-routes';

/** At most this many pages follow the live stream at once; more answer 503 rather than pile up. */
export const MAX_STREAMS = 32;
/**
 * Results come in bursts (a round reports every probe of every target): one event per second at
 * most, so pages fetch the status (and the process serialises it) once per burst, not per result.
 */
const COALESCE_MS = 1000;
/** A comment this often keeps proxies and idle-timeout middleboxes from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** `GET /api/status`: the whole status as JSON (statusSchema), for the page and for scripts. */
export function statusRoute(model: StatusModel): Route {
  return {
    path: '/api/status',
    handle: (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(model.json());
    },
  };
}

/**
 * `GET /api/events`: server-sent events, one `revision` event with the model's revision number at
 * once and after each burst of changes. The page fetches /api/status when the number moves, so an
 * event stays a few bytes however many targets there are.
 */
export function eventsRoute(model: StatusModel): Route {
  let open = 0;
  return {
    path: '/api/events',
    handle: (request, response) => {
      if (open >= MAX_STREAMS) {
        response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' }).end(`sqlprobe: ${MAX_STREAMS} pages already follow this status; close some\n`);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      if (request.method === 'HEAD') return void response.end();
      open += 1;
      let pending: NodeJS.Timeout | undefined;
      const send = () => {
        pending = undefined;
        response.write(`event: revision\ndata: ${model.currentRevision}\n\n`);
      };
      const unsubscribe = model.subscribe(() => {
        pending ??= setTimeout(send, COALESCE_MS);
      });
      const heartbeat = setInterval(() => response.write(': still here\n\n'), HEARTBEAT_MS);
      response.once('close', () => {
        open -= 1;
        unsubscribe();
        clearTimeout(pending);
        clearInterval(heartbeat);
      });
      // The browser reconnects on its own after this long if the stream drops.
      response.write('retry: 3000\n\n');
      send();
    },
  };
}

/** Everything the status page needs: its files, Chart.js, /api/status and the live stream. */
export function statusRoutes(model: StatusModel, endpoint: Pick<Endpoint, 'loopback'>): Route[] {
  const routes = [...pageRoutes(), statusRoute(model), eventsRoute(model)];
  return endpoint.loopback ? routes.map(localOnly) : routes;
}
