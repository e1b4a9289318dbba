// `npm run mutate [group…] [--incremental]`: one Stryker pass per group of stryker.config.mjs, each
// running only its own tests, then the score of every file. A run of every group writes
// docs/mutation.md, and so does `--report` from the last pass of each group (its JSON report and
// its time, kept in reports/mutation/); any file under the threshold fails the command.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { relative } from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import { base, groups, jestFor } from '../stryker.config.mjs';

const THRESHOLD = 90;
const DOC = 'docs/mutation.md';

const args = process.argv.slice(2);
const incremental = args.includes('--incremental');
const reportOnly = args.includes('--report');
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
    const f = files.get(m.fileName) ?? { detected: 0, undetected: 0, invalid: 0, errored: 0, ignored: [], survivors: [] };
    if (DETECTED.has(m.status)) f.detected++;
    else if (UNDETECTED.has(m.status)) {
      f.undetected++;
      f.survivors.push(m);
    } else if (m.status === 'Ignored') f.ignored.push(m);
    else if (m.status === 'RuntimeError') f.errored++;
    else f.invalid++;
    files.set(m.fileName, f);
  }
  return files;
}

const ALL_SURVIVED = 'every conclusive death makes a finding, so the longest survival is read only when every conclusive outcome survived, and then the filter keeps them all';

/**
 * Why a mutant that survives is left alone, keyed `file:line Mutator`: one that differs from the code
 * only on input no user sends, or only in a choice where either answer is right (so a test that kills
 * it would pin the mutant, not a rule). Shown beside it in the page.
 */
const SURVIVOR_NOTES = {
  'shared/classify/redact.ts:15 ArrayDeclaration': 'the default list of known secrets becomes ["Stryker was here"], which changes only text that contains that very phrase',
  'shared/classify/classify.ts:45 ConditionalExpression': 'reading `code` and `name` of a primitive gives undefined, which the string filter drops: same codes',
  'shared/classify/classify.ts:45 EqualityOperator': 'the depth bound only stops cycles; one level less changes only a code six causes deep, which no driver nests',
  'shared/classify/classify.ts:45 ArrayDeclaration': 'a made-up code that no table entry names changes no class',
  'shared/classify/classify.ts:47 ConditionalExpression': 'a code that is not a string (a numeric errno) matches no table entry either way',
  'shared/classify/classify.ts:48 ArrayDeclaration': 'a string in place of the missing member list has no codes: same codes',
  'shared/classify/classify.ts:71 ConditionalExpression': 'a primitive has no `code`, `syscall` or `cause`: not a clean close either way',
  'shared/classify/classify.ts:71 EqualityOperator': 'the depth bound only stops cycles; one level less changes only a close six causes deep',
  'shared/classify/classify.ts:141 StringLiteral': 'no recommendation template has a {state} placeholder, so its fallback word is never shown',
  'shared/idle/verdict.ts:19 EqualityOperator': 'at equal ages either outcome is the earliest; the pick changes only which of two closes at the same millisecond names the death',
  'shared/idle/verdict.ts:83 MethodExpression': ALL_SURVIVED,
  'shared/idle/verdict.ts:83 ConditionalExpression': ALL_SURVIVED,
  'shared/classify/taxonomy.ts:278 ArrayDeclaration': 'without the 18456 entry, 18456 still falls to login-failed in the login and reroute phases, the only ones a server sends it in',
};

const score = (f) => (f.detected + f.undetected === 0 ? 100 : (100 * f.detected) / (f.detected + f.undetected));
const where = (m) => `${m.fileName}:${m.location.start.line}`;
const oneLine = (text) => text.replace(/\s+/g, ' ').slice(0, 100);

/** The last pass of a group, as its JSON report and the pass's own record, in the shape `tally` reads; undefined if it has none. */
function lastPass(group) {
  const paths = [`reports/mutation/${group.name}.json`, `reports/mutation/${group.name}.pass.json`];
  if (!paths.every(existsSync)) return undefined;
  const [report, pass] = paths.map((path) => JSON.parse(readFileSync(path, 'utf8')));
  const results = Object.entries(report.files).flatMap(([fileName, f]) => f.mutants.map((m) => ({ ...m, fileName })));
  return { results, pass };
}

const rows = [];
const passes = [];
/** Groups with no pass on record (only with --report): their files have no score yet. */
const missing = [];
for (const group of chosen) {
  let results;
  let pass;
  if (reportOnly) {
    const last = lastPass(group);
    if (!last) {
      console.error(`mutate: group ${group.name} has no pass on record: run \`npm run mutate -- ${group.name}\``);
      missing.push(group);
      continue;
    }
    ({ results, pass } = last);
  } else {
    const t0 = Date.now();
    const passLoad = loadavg()[0];
    const incrementalFile = `reports/mutation/${group.name}.incremental.json`;
    const reused = incremental && existsSync(incrementalFile);
    console.log(`\nmutate: group ${group.name} (${group.mutate.join(', ')}) against ${group.tests.join(', ')}`);
    const stryker = new Stryker({
      ...base,
      mutate: group.mutate,
      jest: jestFor(group.tests),
      htmlReporter: { fileName: `reports/mutation/${group.name}.html` },
      jsonReporter: { fileName: `reports/mutation/${group.name}.json` },
      incremental,
      incrementalFile,
    });
    results = await stryker.runMutationTest();
    const seconds = Math.round((Date.now() - t0) / 1000);
    // A pass that reused earlier results says little about a run from scratch: keep the last one's time.
    const passFile = `reports/mutation/${group.name}.pass.json`;
    const before = existsSync(passFile) ? JSON.parse(readFileSync(passFile, 'utf8')) : {};
    const fromScratchSeconds = reused ? before.fromScratchSeconds : seconds;
    pass = { seconds, incremental: reused, finishedAt: new Date().toISOString(), load: passLoad, fromScratchSeconds };
    writeFileSync(passFile, JSON.stringify(pass));
  }
  passes.push({ group: group.name, ...pass });
  for (const [file, f] of tally(results)) rows.push({ group: group.name, file, ...f, score: score(f) });
}
const totalSeconds = passes.reduce((sum, p) => sum + p.seconds, 0);

console.log('\nmutate: score per file');
for (const r of rows) {
  console.log(`  ${r.score.toFixed(1).padStart(5)}%  ${r.file}  (${r.detected} detected, ${r.undetected} not, ${r.invalid} invalid, ${r.errored} runtime errors, ${r.ignored.length} ignored)`);
  for (const m of r.survivors) console.log(`      ${m.status.toLowerCase()}: ${where(m)} ${m.mutatorName}: ${oneLine(m.replacement ?? '')}`);
}
console.log(`mutate: ${totalSeconds} s in all`);

if (chosen.length === groups.length) {
  mkdirSync('docs', { recursive: true });
  writeFileSync(DOC, render(rows, passes));
  console.log(`mutate: wrote ${DOC}`);
}
const under = rows.filter((r) => r.score < THRESHOLD);
if (missing.length > 0) process.exitCode = 1;
if (under.length > 0) {
  console.error(`mutate: under ${THRESHOLD}%: ${under.map((r) => r.file).join(', ')}`);
  process.exit(1);
}

/** How long a run takes from scratch, and how long each group's last pass took: a loaded machine stretches both. */
function timing(passes) {
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const scratch = passes.map((p) => p.fromScratchSeconds);
  const known = scratch.every((x) => typeof x === 'number');
  const fromScratch = known
    ? `A run of ${missing.length > 0 ? `the groups measured (not ${missing.map((g) => g.name).join(', ')})` : 'every group'} from scratch takes about ${Math.round(sum(scratch) / 60)} min (${sum(scratch)} s; per group: ${passes.map((p) => `${p.group} ${p.fromScratchSeconds} s`).join(', ')}).`
    : `Some groups have no pass from scratch on record (${passes.filter((p) => typeof p.fromScratchSeconds !== 'number').map((p) => p.group).join(', ')}), so the time of a run from scratch is not known.`;
  const last = passes.map((p) => `${p.group} ${p.seconds} s${p.incremental ? ' incremental' : ''}`).join(', ');
  const loads = passes.map((p) => p.load).filter((l) => typeof l === 'number');
  const dates = passes.map((p) => p.finishedAt.slice(0, 10)).sort();
  return `${fromScratch} The last pass of each group, whose results are above: ${last}. Each pass had ${base.concurrency} test runner(s) on a ${availableParallelism()}-core machine shared with other work${loads.length > 0 ? ` (load average ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} as the passes started)` : ''}, ${dates[0] === dates.at(-1) ? `on ${dates[0]}` : `between ${dates[0]} and ${dates.at(-1)}`}. An incremental pass re-runs only the mutants whose code or tests changed since the group's previous pass.`;
}

function render(rows, passes) {
  const table = [
    ...rows.map((r) => `| \`${r.file}\` | ${r.group} | ${r.score.toFixed(1)}% | ${r.detected} | ${r.undetected} | ${r.invalid} | ${r.errored} | ${r.ignored.length} |`),
    ...missing.flatMap((g) => g.mutate.map((file) => `| \`${file}\` | ${g.name} | not measured yet: run \`npm run mutate -- ${g.name}\` | | | | | |`)),
  ];
  const note = (m) => SURVIVOR_NOTES[`${where(m)} ${m.mutatorName}`];
  const survivors = rows.flatMap((r) => r.survivors.map((m) => `- \`${where(m)}\` ${m.mutatorName} (${m.status}): \`${oneLine(m.replacement ?? '')}\`${note(m) ? `: left alone, ${note(m)}` : ''}`));
  const ignored = rows.flatMap((r) => r.ignored.map((m) => `- \`${where(m)}\` ${m.mutatorName}: \`${oneLine(m.replacement ?? '')}\`: ${m.statusReason ?? ''}`));
  return `# Mutation testing

Written by \`npm run mutate\` (scripts/mutate.mjs); do not edit by hand. [StrykerJS](https://stryker-mutator.io/docs/stryker-js/introduction/)
makes small deliberate bugs (mutants) in the code that guards users (the ad-hoc allowlist, secret
redaction, classification and its table, the availability success flag, the runner's retry,
deadline and abort rules, duration and timer bounds, the PRELOGIN negotiation table, the idle
verdict) and runs the tests meant to catch each one: a mutant no test fails on is a regression the
suite would let through. The groups and their tests are in \`stryker.config.mjs\`; each pass runs
only its group's tests, and within it each mutant only the tests that reach it. The TypeScript
checker drops mutants that do not compile (invalid below). A runtime error is a mutant whose test
run broke before it could pass or fail, and Stryker leaves it out of the score: a default that no
longer parses when its module loads (the app would not start: caught, in effect), or a test that
crashes under the mutant (then the score says less than it seems, and the test needs a look). The score is detected (killed or timed
out) over detected plus undetected (survived or not covered); the goal is at least ${THRESHOLD}% on every file.

| file | group | score | detected | undetected | invalid | runtime errors | ignored |
|---|---|---|---|---|---|---|---|
${table.join('\n')}

${timing(passes)}

It is not part of \`.ci/run\`: that runs the whole suite once, in minutes, and this runs each group's
suites once per mutant, which takes far longer. Run it after changing a guarded file or its tests:
\`npm run mutate -- adhoc\` runs one group (names as in \`stryker.config.mjs\`; several may follow),
and \`--incremental\` re-runs only the mutants whose code or tests changed since the last run of
that group. A run of every group rewrites this page; so does \`npm run mutate -- --report\`, from
the last pass of each group (reports/mutation/), without running anything.

## Mutants that survive

${survivors.length === 0 ? 'None.' : survivors.join('\n')}

## Equivalent mutants, ignored with the reason

A mutant that changes no behaviour cannot be killed by any test. Each is marked in the source with a
\`// Stryker disable\` comment that gives the reason, and listed here:

${ignored.length === 0 ? 'None.' : ignored.join('\n')}
`;
}
