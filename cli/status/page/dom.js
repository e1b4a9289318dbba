// Small helpers shared by the page's modules: building elements (text only, never HTML from data),
// formatting numbers the way the CLI does, and the words and icons for each outcome, so a failure
// always reads as text and an icon, never as colour alone.

/** Appends children, nested arrays flattened; strings become text nodes, so data can never inject markup. */
function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** An element with attributes (false or absent ones left out) and children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  return append(node, children);
}

/** Replaces the children of `node`. */
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** "0.4 ms", "12 ms", "1.25 s", as the CLI prints them. */
export function ms(value) {
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return value >= 10 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
}

/** An idle age: "59.8 s", or "1800 s (30 min)" from two minutes on. */
export function age(value) {
  const s = Math.round(value / 1000);
  if (s < 120) return `${Math.round(value / 100) / 10} s`;
  return `${s} s (${Math.round((value / 60_000) * 10) / 10} min)`;
}

/** A rung as configured: "20 s", "5 min", "1 h 30 min". */
export function rung(value) {
  const s = Math.round(value / 1000);
  if (s < 120 || s % 60 !== 0) return `${s} s`;
  const min = s / 60;
  return min < 60 || min % 60 !== 0 ? `${min} min` : `${min / 60} h`;
}

/** Local wall-clock time of an ISO timestamp, to the second. */
export function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** A slug for element ids: target names are slugs already, this keeps ids valid whatever comes. */
export const idFor = (name, part) => `t-${name.replace(/[^A-Za-z0-9_-]/g, '_')}-${part}`;

export const OUTCOMES = {
  survived: { icon: '✔', text: 'survived', tone: 'ok' },
  'closed-by-peer': { icon: '✖', text: 'closed by peer', tone: 'warn' },
  'keepalive-detected': { icon: '⚠', text: 'found dead by keepalive', tone: 'warn' },
  'dead-on-use': { icon: '✖', text: 'dead on first use', tone: 'bad' },
  inconclusive: { icon: '?', text: 'inconclusive', tone: 'muted' },
};

/** How long a held connection is known to have lived: its idle age, or the age it died at. */
export function livedMs(o) {
  if (o.outcome === 'inconclusive') return undefined;
  if (o.outcome === 'closed-by-peer' || o.outcome === 'keepalive-detected') return o.deathAgeMs ?? o.idleMs ?? o.rungMs;
  return o.idleMs ?? o.rungMs;
}

/** "closed by peer at 60 s (fin)", "survived 19.8 s idle", "dead on first use after 75 s idle". */
export function outcomeWords(o) {
  const { text } = OUTCOMES[o.outcome];
  switch (o.outcome) {
    case 'survived':
      return `${text} ${age(o.idleMs ?? o.rungMs)} idle`;
    case 'closed-by-peer':
    case 'keepalive-detected':
      return `${text}${o.deathAgeMs === undefined ? '' : ` at ${age(o.deathAgeMs)}`}${o.close ? ` (${o.close})` : ''}`;
    case 'dead-on-use':
      return `${text} after ${age(o.idleMs ?? o.rungMs)} idle`;
    default:
      return `${text}${o.reason ? ` (${o.reason})` : ''}`;
  }
}

/** A status word with its icon, styled by tone; the words carry the meaning on their own. */
export function badge(tone, icon, text, title) {
  return el('span', { class: `badge ${tone}`, title }, el('span', { 'aria-hidden': 'true', class: 'icon' }, icon), ` ${text}`);
}
