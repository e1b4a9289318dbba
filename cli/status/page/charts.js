// The three charts (Chart.js, served from the package) and the table beside each, which holds the
// same numbers as text: the chart's aria-label says what it shows, aria-describedby points at them.
import { clock, el, fill, livedMs, ms, OUTCOMES, outcomeWords, rung } from './dom.js';

/** Okabe–Ito colours, told apart with any colour vision; vermillion marks a failure. */
const PHASE_COLOURS = {
  dns: '#56B4E9', tcp: '#009E73', prelogin: '#F0E442', tls: '#0072B2', login: '#E69F00',
  reroute: '#CC79A7', initialSql: '#8C8C8C', query: '#332288', idle: '#BBBBBB',
};
const FAILED = '#D55E00';
const OUTCOME_COLOURS = { survived: '#009E73', 'closed-by-peer': '#E69F00', 'keepalive-detected': '#CC79A7', 'dead-on-use': FAILED, inconclusive: '#BBBBBB' };

const charts = new WeakMap();

/** Draws `config` on `canvas`, reusing the chart already there: no animation, no flicker on updates. */
function draw(canvas, config) {
  const existing = charts.get(canvas);
  if (existing) {
    existing.data = config.data;
    existing.options = config.options;
    existing.update('none');
    return;
  }
  charts.set(canvas, new globalThis.Chart(canvas, config));
}

const base = (extra) => ({ animation: false, responsive: true, maintainAspectRatio: false, ...extra });

function table(node, head, rows) {
  fill(node, el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, c) : el('td', {}, c)))))));
}

/** The last connectivity result's phases on one time axis: where the time went, and where it failed. */
export function renderWaterfall(canvas, tableNode, wf) {
  const label = (p) => `${p.name}${p.name === wf.failedPhase ? ' (failed here)' : ''}`;
  canvas.setAttribute('aria-label', `Phase waterfall of the ${wf.probe} probe at ${clock(wf.at)}, ${wf.success ? 'succeeded' : `failed in ${wf.failedPhase ?? 'a phase'}`} in ${ms(wf.durationMs)}: ${wf.phases.map((p) => `${label(p)} ${ms(p.durationMs)}`).join(', ')}.`);
  table(tableNode, ['phase', 'starts at', 'takes'], wf.phases.map((p) => [label(p), ms(p.startMs), ms(p.durationMs)]));
  draw(canvas, {
    type: 'bar',
    data: {
      labels: wf.phases.map(label),
      datasets: [{
        label: 'phase',
        data: wf.phases.map((p) => [p.startMs, p.startMs + p.durationMs]),
        backgroundColor: wf.phases.map((p) => (p.name === wf.failedPhase ? FAILED : PHASE_COLOURS[p.name])),
        borderSkipped: false,
        minBarLength: 3,
      }],
    },
    options: base({
      indexAxis: 'y',
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${ms(wf.phases[c.dataIndex].durationMs)} from ${ms(wf.phases[c.dataIndex].startMs)}` } } },
      scales: { x: { beginAtZero: true, title: { display: true, text: 'ms from the start of the probe' } } },
    }),
  });
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
};

/** Each phase's time over the last hour, stacked to the result's total; failed results marked ✘. */
export function renderLatency(canvas, tableNode, latency) {
  const samples = latency.samples;
  const phases = Object.keys(PHASE_COLOURS).filter((p) => samples.some((s) => s.phases[p] !== undefined));
  const failed = samples.filter((s) => !s.success);
  const rows = phases.map((p) => {
    const values = samples.map((s) => s.phases[p]).filter((v) => v !== undefined);
    return [p, ms(values.at(-1) ?? 0), ms(median(values)), ms(Math.max(...values))];
  });
  rows.push(['whole probe', ms(samples.at(-1)?.durationMs ?? 0), ms(median(samples.map((s) => s.durationMs))), ms(Math.max(0, ...samples.map((s) => s.durationMs)))]);
  table(tableNode, ['phase', 'last', 'median', 'max'], rows);
  canvas.setAttribute('aria-label', `Phase latency of the ${latency.probe} probe over the last hour: ${samples.length} results, ${failed.length} failed; median ${rows.map((r) => `${r[0]} ${r[2]}`).join(', ')}.`);
  const points = (p) => samples.map((s) => ({ x: Date.parse(s.at), y: s.phases[p] ?? 0 }));
  // Minutes are enough on a long axis; a young one needs the seconds to tell its ticks apart, and
  // a minute around its few samples so they are not drawn against an axis of no width.
  const first = Date.parse(samples[0].at);
  const last = Date.parse(samples.at(-1).at);
  const span = last - first;
  const pad = span < 60_000 ? 30_000 : 0;
  draw(canvas, {
    type: 'line',
    data: {
      datasets: [
        ...phases.map((p, i) => ({
          label: p, data: points(p), borderColor: PHASE_COLOURS[p], backgroundColor: `${PHASE_COLOURS[p]}99`,
          fill: i === 0 ? 'origin' : '-1', pointRadius: 0, borderWidth: 1, stack: 'phases', tension: 0.2,
        })),
        {
          label: '✘ failed', data: failed.map((s) => ({ x: Date.parse(s.at), y: s.durationMs })), type: 'scatter', stack: 'failures',
          pointStyle: 'crossRot', pointRadius: 7, borderWidth: 2, borderColor: FAILED, backgroundColor: FAILED,
        },
      ],
    },
    options: base({
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } }, tooltip: { callbacks: { title: (items) => clock(new Date(items[0].parsed.x).toISOString()), label: (c) => `${c.dataset.label}: ${ms(c.parsed.y)}` } } },
      scales: {
        x: { type: 'linear', min: first - pad, max: last + pad, ticks: { maxTicksLimit: 6, callback: (v) => clock(new Date(v).toISOString()).slice(0, span > 15 * 60_000 ? 5 : 8) } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: 'ms' } },
      },
    }),
  });
}

/** Draws the measured idle kill as a vertical line across the survival bars. */
const killLine = {
  id: 'killLine',
  afterDatasetsDraw(chart, _args, options) {
    if (options.seconds === undefined) return;
    const { ctx, chartArea, scales } = chart;
    const x = scales.x.getPixelForValue(options.seconds);
    ctx.save();
    ctx.strokeStyle = FAILED;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(x, chartArea.top);
    ctx.lineTo(x, chartArea.bottom);
    ctx.stroke();
    ctx.fillStyle = FAILED;
    ctx.textAlign = x > chartArea.right - 120 ? 'right' : 'left';
    ctx.fillText(`idle kill ≈ ${options.seconds} s`, x + (ctx.textAlign === 'right' ? -4 : 4), chartArea.top + 10);
    ctx.restore();
  },
};

/** Per rung and keepalive variant: how long the connection lived, coloured and labelled by how it ended. */
export function renderSurvival(canvas, tableNode, idle) {
  const cells = idle.cells;
  const variants = [...new Set(cells.map((c) => c.keepalive))];
  const rungs = [...new Set(cells.map((c) => c.rungMs))];
  const words = (c) => (c?.latest ? `${OUTCOMES[c.latest.outcome].icon} ${outcomeWords(c.latest)}` : '… rung not reached yet');
  table(tableNode, ['idle', ...variants.map((v) => `keepalive ${v}`)], rungs.map((r) => [rung(r), ...variants.map((v) => {
    const cell = cells.find((c) => c.rungMs === r && c.keepalive === v);
    const tone = cell?.latest ? OUTCOMES[cell.latest.outcome].tone : 'muted';
    return el('span', { class: `outcome ${tone}`, title: cell?.latest?.error ?? undefined }, words(cell));
  })]));
  const verdict = idle.verdict;
  const killed = verdict && verdict.kind !== 'no-idle-kill' && verdict.kind !== 'inconclusive' ? verdict.atSeconds : undefined;
  canvas.setAttribute('aria-label', `Idle survival, how long each held connection lived: ${cells.map((c) => `${rung(c.rungMs)} keepalive ${c.keepalive}: ${c.latest ? outcomeWords(c.latest) : 'not reached yet'}`).join('; ')}.${killed === undefined ? '' : ` Idle kill at about ${killed} s.`}`);
  draw(canvas, {
    type: 'bar',
    data: {
      labels: cells.map((c) => `${rung(c.rungMs)} · keepalive ${c.keepalive}`),
      datasets: [{
        label: 'lived (s)',
        data: cells.map((c) => (c.latest ? (livedMs(c.latest) ?? 0) / 1000 : null)),
        backgroundColor: cells.map((c) => OUTCOME_COLOURS[c.latest?.outcome ?? 'inconclusive']),
        minBarLength: 2,
      }],
    },
    options: base({
      indexAxis: 'y',
      plugins: {
        legend: { display: false },
        killLine: { seconds: killed },
        tooltip: { callbacks: { label: (c) => (cells[c.dataIndex].latest ? outcomeWords(cells[c.dataIndex].latest) : 'not reached yet') } },
      },
      scales: { x: { beginAtZero: true, suggestedMax: Math.max(...rungs) / 1000, title: { display: true, text: 'seconds idle' } } },
    }),
    plugins: [killLine],
  });
}

/** The legend of the survival chart, in words as well as colours. */
export function survivalLegend() {
  return Object.entries(OUTCOMES).map(([kind, o]) => el('li', {}, el('span', { class: 'swatch', 'data-outcome': kind, 'aria-hidden': 'true' }), `${o.icon} ${o.text}`));
}
