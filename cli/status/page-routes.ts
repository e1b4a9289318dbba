import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { Route } from '../serve/server';

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
