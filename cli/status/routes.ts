import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { Route } from '../serve/server';
import type { StatusModel } from './model';

/** The page's own files: cli/status/page in the sources, copied next to the compiled code by the build. */
export const PAGE_DIR = join(__dirname, 'page');
/** Chart.js, served from the installed package (an exact-version dependency), never from a CDN. */
export const CHART_PATH = '/vendor/chart.umd.min.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The page may load only what this server serves: a bug (or a result that smuggles markup) cannot
 * make it fetch from another host. Chart.js styles the canvas through the DOM, which this allows.
 */
const PAGE_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

function fileRoute(path: string, file: string): Route {
  const body = readFileSync(file);
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  return {
    path,
    handle: (_request, response) => {
      response.writeHead(200, {
        'content-type': type,
        'content-length': body.length,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        ...(type.startsWith('text/html') ? { 'content-security-policy': PAGE_POLICY, 'referrer-policy': 'no-referrer' } : {}),
      }).end(body);
    },
  };
}

/** Every file of the page at its name (index.html also at /), and Chart.js under /vendor. Read once, at start. */
export function pageRoutes(dir = PAGE_DIR): Route[] {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`the status page's files are missing from ${dir}; build with "npm run build", which copies them next to the compiled code`);
  }
  const files = readdirSync(dir).filter((f) => TYPES[extname(f)]);
  const chart = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  return [
    fileRoute('/', join(dir, 'index.html')),
    ...files.map((f) => fileRoute(`/${f}`, join(dir, f))),
    fileRoute(CHART_PATH, chart),
  ];
}

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
export function statusRoutes(model: StatusModel): Route[] {
  return [...pageRoutes(), statusRoute(model), eventsRoute(model)];
}
