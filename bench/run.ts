/**
 * `npm run bench`: runs every compiled `*.bench.js` module in this folder (or those named on the
 * command line) and writes each one's markdown into docs/BENCHMARKS.md between its markers
 * `<!-- NAME:start -->` and `<!-- NAME:end -->`, leaving other sections alone.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface BenchModule {
  name: string;
  run(): Promise<string>;
}

const DOC = join(__dirname, '..', '..', 'docs', 'BENCHMARKS.md');
const HEADER = '# Benchmarks\n\nWritten by `npm run bench`; each section is replaced by its benchmark.\n';

function writeSection(name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : HEADER;
  const section = `${start}\n${body.trim()}\n${end}`;
  const at = doc.indexOf(start);
  const until = doc.indexOf(end);
  const next = at >= 0 && until > at ? doc.slice(0, at) + section + doc.slice(until + end.length) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(DOC, next);
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.js'));
  for (const file of files) {
    const mod = (await import(join(__dirname, file))) as BenchModule;
    if (only.length && !only.includes(mod.name)) continue;
    process.stderr.write(`bench ${mod.name}…\n`);
    writeSection(mod.name, await mod.run());
  }
  process.stderr.write(`wrote ${DOC}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
