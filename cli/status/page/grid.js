// The availability grid (a row per target: path, each probe's last result, TLS, verdict) and each
// target's list of last results with their class and recommendation.
import { badge, clock, el, fill, idFor, ms } from './dom.js';

/** Certificates this close to expiry are flagged, as the certificate alert does by default. */
const CERT_WARNING_DAYS = 30;

const VERDICT_TONES = { 'no-idle-kill': ['ok', '✔'], inconclusive: ['muted', '…'] };

/** The path a target's connections take, from its latest result that saw one. */
function pathOf(target) {
  const seen = target.latest.find((r) => r.policy);
  if (!seen) return { text: 'not seen yet', tone: 'muted', icon: '…' };
  const routed = seen.routed ? ` → ${seen.routed.host}:${seen.routed.port}` : '';
  const mismatch = target.expectedPolicy && target.expectedPolicy !== seen.policy;
  return mismatch
    ? { text: `${seen.policy}${routed} (expected ${target.expectedPolicy})`, tone: 'bad', icon: '✘', policy: seen.policy }
    : { text: `${seen.policy}${routed}`, tone: 'ok', icon: seen.policy === 'redirect' ? '↪' : '⇄', policy: seen.policy };
}

function resultBadge(r) {
  const title = `${r.probe} at ${clock(r.startedAt)}, ${ms(r.durationMs)}`;
  return r.success ? badge('ok', '✔', r.probe, title) : badge('bad', '✘', `${r.probe}: ${r.error?.class ?? 'failed'}`, title);
}

/** TLS version and the certificate's days left: an expired or expiring certificate is said in words. */
export function tlsFacts(target) {
  const tls = target.latest.find((r) => r.tls)?.tls;
  if (!tls) return [el('span', { class: 'muted' }, '—')];
  const parts = [el('span', {}, [tls.mode === 'strict' ? 'TDS 8.0 strict' : '', tls.version ?? 'TLS'].filter(Boolean).join(' '))];
  if (tls.cert) {
    const days = Math.floor(tls.cert.daysLeft);
    parts.push(days < 0 ? badge('bad', '✘', 'certificate expired')
      : days < CERT_WARNING_DAYS ? badge('warn', '⚠', `certificate: ${days} days left`)
        : el('span', { class: 'muted' }, ` · certificate ${days} days left`));
  }
  // The probe checks the chain even when the target skips validation (trustServerCertificate), and says so.
  if (tls.trusted === false) parts.push(badge('warn', '⚠', 'chain not trusted'));
  if (tls.hostnameMatches === false) parts.push(badge('bad', '✘', 'hostname mismatch'));
  return parts;
}

export function verdictBadge(target) {
  const idle = target.idle;
  if (!idle) return el('span', { class: 'muted' }, 'no idle probe');
  const verdict = idle.verdict;
  const progress = idle.expected && idle.settled < idle.expected ? ` (${idle.settled}/${idle.expected} settled)` : '';
  if (!verdict || verdict.kind === 'inconclusive') return badge('muted', '…', `measuring${progress}`);
  const [tone, icon] = VERDICT_TONES[verdict.kind] ?? ['warn', '⚠'];
  return el('span', { class: 'verdict-cell' }, badge(tone, icon, verdict.text), progress ? el('span', { class: 'muted' }, progress) : '');
}

/** The grid: one row per target. */
export function renderGrid(tbody, status) {
  fill(tbody, status.targets.map((t) => {
    const path = pathOf(t);
    const last = t.latest.map((r) => r.startedAt).sort().at(-1);
    return el('tr', { 'data-target': t.name },
      el('th', { scope: 'row' }, el('a', { href: `#${idFor(t.name, 'section')}` }, t.name), el('div', { class: 'muted small' }, `${t.server}:${t.port}`)),
      el('td', { class: 'path', 'data-policy': path.policy }, badge(path.tone, path.icon, path.text)),
      el('td', { class: 'results' }, t.latest.length ? t.latest.map(resultBadge) : badge('muted', '…', 'waiting for the first round')),
      el('td', {}, tlsFacts(t)),
      el('td', { class: 'verdict' }, verdictBadge(t)),
      el('td', { class: 'muted' }, last ? clock(last) : '—'));
  }));
}

/** One line per probe: what it found, and for a failure its class, phase, message and what to do. */
export function renderResults(list, target) {
  fill(list, target.latest.map((r) => {
    const head = el('div', { class: 'result-head' }, resultBadge(r), el('span', { class: 'muted' }, ` ${ms(r.durationMs)} · ${clock(r.startedAt)}`));
    if (r.success) return el('li', {}, head);
    const e = r.error;
    return el('li', { class: 'failed' }, head,
      e ? el('p', {}, `${e.class} in ${e.phase}${e.number === undefined ? '' : ` (error ${e.number}${e.state === undefined ? '' : ` state ${e.state}`})`}: ${e.message}`) : '',
      e ? el('p', { class: 'recommendation' }, el('span', { 'aria-hidden': 'true' }, '→ '), e.recommendation) : '',
      e?.docsUrl ? el('p', { class: 'small' }, el('a', { href: e.docsUrl, rel: 'noreferrer', target: '_blank' }, 'docs')) : '');
  }));
}
