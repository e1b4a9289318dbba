// `npm run mutate [group…] [--incremental]`: one Stryker pass per group of stryker.config.mjs, each
// running only its own tests, then the score of every file. A run of every group writes
// docs/mutation.md; any file under the threshold fails the command.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { relative } from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import { base, groups, jestFor } from '../stryker.config.mjs';

const THRESHOLD = 90;
const DOC = 'docs/mutation.md';

const args = process.argv.slice(2);
const incremental = args.includes('--incremental');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !groups.some((g) => g.name === n));
if (unknown.length > 0) {
  console.error(`mutate: no group ${unknown.map((n) => `"${n}"`).join(', ')}; the groups are ${groups.map((g) => g.name).join(', ')}`);
  process.exit(2);
}
const chosen = names.length === 0 ? groups : groups.filter((g) => names.includes(g.name));

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Counts per file, and the mutants worth a line: what survived, and what was ignored and why. */
function tally(results) {
  const files = new Map();
  for (const m of results) {
    m.fileName = relative(process.cwd(), m.fileName);
    const f = files.get(m.fileName) ?? { detected: 0, undetected: 0, invalid: 0, ignored: [], survivors: [] };
    if (DETECTED.has(m.status)) f.detected++;
    else if (UNDETECTED.has(m.status)) {
      f.undetected++;
      f.survivors.push(m);
    } else if (m.status === 'Ignored') f.ignored.push(m);
    else f.invalid++;
    files.set(m.fileName, f);
  }
  return files;
}

const score = (f) => (f.detected + f.undetected === 0 ? 100 : (100 * f.detected) / (f.detected + f.undetected));
const where = (m) => `${m.fileName}:${m.location.start.line}`;
const oneLine = (text) => text.replace(/\s+/g, ' ').slice(0, 100);

const rows = [];
const started = Date.now();
const load = loadavg()[0];
for (const group of chosen) {
  const t0 = Date.now();
  console.log(`\nmutate: group ${group.name} (${group.mutate.join(', ')}) against ${group.tests.join(', ')}`);
  const stryker = new Stryker({
    ...base,
    mutate: group.mutate,
    jest: jestFor(group.tests),
    htmlReporter: { fileName: `reports/mutation/${group.name}.html` },
    jsonReporter: { fileName: `reports/mutation/${group.name}.json` },
    incremental,
    incrementalFile: `reports/mutation/${group.name}.incremental.json`,
  });
  const results = await stryker.runMutationTest();
  const seconds = Math.round((Date.now() - t0) / 1000);
  for (const [file, f] of tally(results)) rows.push({ group: group.name, file, seconds, ...f, score: score(f) });
}
const totalSeconds = Math.round((Date.now() - started) / 1000);

console.log('\nmutate: score per file');
for (const r of rows) {
  console.log(`  ${r.score.toFixed(1).padStart(5)}%  ${r.file}  (${r.detected} detected, ${r.undetected} not, ${r.invalid} invalid, ${r.ignored.length} ignored)`);
  for (const m of r.survivors) console.log(`      ${m.status.toLowerCase()}: ${where(m)} ${m.mutatorName}: ${oneLine(m.replacement ?? '')}`);
}
console.log(`mutate: ${totalSeconds} s in all`);

if (chosen.length === groups.length) {
  mkdirSync('docs', { recursive: true });
  writeFileSync(DOC, render(rows, totalSeconds, load));
  console.log(`mutate: wrote ${DOC}`);
}
const under = rows.filter((r) => r.score < THRESHOLD);
if (under.length > 0) {
  console.error(`mutate: under ${THRESHOLD}%: ${under.map((r) => r.file).join(', ')}`);
  process.exit(1);
}

/** How long each group and the whole run took, and on what: a loaded machine stretches both. */
function timing(rows, seconds, load) {
  const perGroup = [...new Map(rows.map((r) => [r.group, r.seconds])).entries()].map(([g, s]) => `${g} ${s} s`).join(', ');
  const how = incremental ? ' It was incremental: mutants whose code and tests had not changed kept their earlier result, so a run from scratch takes longer.' : '';
  return `The run took ${seconds} s (${Math.round(seconds / 60)} min; per group: ${perGroup}) with ${base.concurrency} test runner(s) on a ${availableParallelism()}-core machine whose load average was ${load.toFixed(1)} when it started.${how}`;
}

function render(rows, seconds, load) {
  const table = rows.map((r) => `| \`${r.file}\` | ${r.group} | ${r.score.toFixed(1)}% | ${r.detected} | ${r.undetected} | ${r.invalid} | ${r.ignored.length} |`);
  const survivors = rows.flatMap((r) => r.survivors.map((m) => `- \`${where(m)}\` ${m.mutatorName} (${m.status}): \`${oneLine(m.replacement ?? '')}\``));
  const ignored = rows.flatMap((r) => r.ignored.map((m) => `- \`${where(m)}\` ${m.mutatorName}: \`${oneLine(m.replacement ?? '')}\`: ${m.statusReason ?? ''}`));
  return `# Mutation testing

Written by \`npm run mutate\` (scripts/mutate.mjs); do not edit by hand. [StrykerJS](https://stryker-mutator.io/docs/stryker-js/introduction/)
makes small deliberate bugs (mutants) in the code that guards users (the ad-hoc allowlist, secret
redaction, classification and its table, the availability success flag, the runner's retry,
deadline and abort rules, duration and timer bounds, the PRELOGIN negotiation table, the idle
verdict) and runs the tests meant to catch each one: a mutant no test fails on is a regression the
suite would let through. The groups and their tests are in \`stryker.config.mjs\`; each pass runs
only its group's tests, and within it each mutant only the tests that reach it. The TypeScript
checker drops mutants that do not compile (invalid below). The score is detected (killed or timed
out) over detected plus undetected (survived or not covered); the goal is at least ${THRESHOLD}% on every file.

| file | group | score | detected | undetected | invalid | ignored |
|---|---|---|---|---|---|---|
${table.join('\n')}

${timing(rows, seconds, load)}

It is not part of \`.ci/run\`: that runs the whole suite once, in minutes, and this runs each group's
suites once per mutant, which takes far longer. Run it after changing a guarded file or its tests:
\`npm run mutate -- adhoc\` runs one group (names as in \`stryker.config.mjs\`; several may follow),
and \`--incremental\` re-runs only the mutants whose code or tests changed since the last run of
that group. Only a run of every group rewrites this page.

## Mutants that survive

${survivors.length === 0 ? 'None.' : survivors.join('\n')}

## Equivalent mutants, ignored with the reason

A mutant that changes no behaviour cannot be killed by any test. Each is marked in the source with a
\`// Stryker disable\` comment that gives the reason, and listed here:

${ignored.length === 0 ? 'None.' : ignored.join('\n')}
`;
}
