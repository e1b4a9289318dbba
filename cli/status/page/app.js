// The status page: fetches /api/status, draws it, and follows /api/events (server-sent events) to
// fetch again whenever the revision moves, so the page stays live without a reload. Every URL is
// relative: the page works behind a reverse proxy under a path, and never asks another host.
import { badge, clock, fill } from './dom.js';
import { renderGrid } from './grid.js';
import { renderTargets } from './targets.js';

const live = document.getElementById('live');
let shownRevision = -1;
let fetching = false;
let again = false;

function setLive(ok, text) {
  fill(live, ok ? badge('ok', '●', text) : badge('bad', '✘', text));
  document.body.dataset.live = ok ? 'yes' : 'no';
}

function render(status) {
  fill(document.getElementById('meta'),
    `${status.demo ? 'Demo against the built-in simulator' : `${status.targets.length} target(s)`} · region ${status.region} · sqlprobe ${status.sqlprobeVersion} · running since ${clock(status.startedAt)}`);
  renderGrid(document.getElementById('grid-body'), status);
  renderTargets(document.getElementById('targets'), status);
  shownRevision = status.revision;
  // Lets a reader (or a test) tell which revision the page shows.
  document.body.dataset.revision = String(status.revision);
  setLive(true, `live · updated ${clock(status.generatedAt)}`);
}

/** Fetches the status; calls that arrive while one is in flight fold into one more fetch after it. */
async function refresh() {
  if (fetching) {
    again = true;
    return;
  }
  fetching = true;
  try {
    const response = await fetch('api/status', { cache: 'no-store' });
    if (!response.ok) throw new Error(`status ${response.status}`);
    render(await response.json());
  } catch (err) {
    setLive(false, `cannot read the status (${err.message}); retrying`);
  } finally {
    fetching = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

const events = new EventSource('api/events');
events.addEventListener('revision', (event) => {
  if (Number(event.data) !== shownRevision) refresh();
});
events.addEventListener('error', () => setLive(false, 'disconnected: is sqlprobe start still running? Retrying…'));
refresh();
