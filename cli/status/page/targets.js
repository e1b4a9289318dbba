// A section per target, made once from the page's <template> and refreshed in place: its last
// results, the phase waterfall, the latency over the last hour and the idle-survival picture.
import { renderLatency, renderSurvival, renderWaterfall, survivalLegend } from './charts.js';
import { badge, clock, el, fill, idFor } from './dom.js';
import { renderResults, tlsFacts, verdictBadge } from './grid.js';

const sections = new Map();

/** The section of a target, made on first sight; the ids tie each chart to its table of numbers. */
function sectionFor(container, name) {
  let section = sections.get(name);
  if (section) return section;
  section = document.getElementById('target-template').content.firstElementChild.cloneNode(true);
  section.id = idFor(name, 'section');
  section.dataset.target = name;
  for (const part of ['wf', 'lat', 'idle']) {
    const canvas = section.querySelector(`.${part}-chart`);
    const table = section.querySelector(`.${part}-table`);
    table.id = idFor(name, `${part}-table`);
    canvas.setAttribute('aria-describedby', table.id);
    const heading = section.querySelector(`.${part}-heading`);
    heading.id = idFor(name, `${part}-heading`);
    table.setAttribute('aria-labelledby', heading.id);
  }
  fill(section.querySelector('.legend'), survivalLegend());
  sections.set(name, section);
  container.append(section);
  return section;
}

/** Shows `node` only when there is something to show in it. */
const shown = (node, on) => node.toggleAttribute('hidden', !on);

function renderIdle(section, target) {
  const panel = section.querySelector('.idle');
  shown(panel, Boolean(target.idle));
  if (!target.idle) return;
  const verdict = target.idle.verdict;
  fill(section.querySelector('.verdict'), verdictBadge(target));
  fill(section.querySelector('.recommendations'), verdict && verdict.kind !== 'inconclusive' ? verdict.recommendations.map((r) => el('li', {}, r)) : []);
  fill(section.querySelector('.held'), `${target.idle.held} idle connection(s) held now · ${target.idle.settled} settled since start`);
  renderSurvival(section.querySelector('.idle-chart'), section.querySelector('.idle-table'), target.idle);
  const changes = section.querySelector('.changes');
  shown(changes.parentElement, target.verdictChanges.length > 0);
  fill(changes, target.verdictChanges.slice().reverse().map((c) => el('li', {},
    `${clock(c.at)} `, badge(c.verdict === 'no-idle-kill' ? 'ok' : 'warn', c.verdict === 'no-idle-kill' ? '✔' : '⚠', c.verdict),
    c.previous ? ` (was ${c.previous})` : ' (first verdict)')));
}

/** Every target's section, in the grid's order. */
export function renderTargets(container, status) {
  for (const target of status.targets) {
    const section = sectionFor(container, target.name);
    fill(section.querySelector('.name'), target.name);
    fill(section.querySelector('.where'), `${target.server}:${target.port} · region ${target.region} · probes ${target.probes.join(', ')}`);
    fill(section.querySelector('.tls'), tlsFacts(target));
    renderResults(section.querySelector('.results-list'), target);
    const wf = target.waterfall;
    shown(section.querySelector('.wf'), Boolean(wf));
    if (wf) {
      fill(section.querySelector('.wf-heading'), `Phase waterfall: last ${wf.probe}`);
      renderWaterfall(section.querySelector('.wf-chart'), section.querySelector('.wf-table'), wf);
    }
    const latency = target.latency;
    shown(section.querySelector('.lat'), Boolean(latency?.samples.length));
    if (latency?.samples.length) renderLatency(section.querySelector('.lat-chart'), section.querySelector('.lat-table'), latency);
    renderIdle(section, target);
  }
}
