import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');

export interface BuiltCli {
  main: string;
  cleanup: () => void;
}

/**
 * How long a suite's hook may take to get the CLI: one tsc build of the whole project, about 20 s
 * on a quiet machine and several times that when its two cores are shared with other work.
 */
export const BUILD_TIMEOUT_MS = 240_000;

/** Set for the whole jest run by test/helpers/build-dir.js: the e2e suites share one build there. */
const SHARED_DIR = process.env.SQLPROBE_TEST_BUILD_DIR;

/**
 * Compiles the project into a temp directory, as `npm start` compiles it into dist/, so the suites
 * run the real entry point without touching dist/. node_modules is linked in for require(). Within
 * a jest run the first suite to ask builds it and the others wait for that build; the run's
 * teardown removes it.
 */
export async function buildCli(): Promise<BuiltCli> {
  if (!SHARED_DIR) {
    const outDir = mkdtempSync(join(tmpdir(), 'sqlprobe-cli-'));
    return { main: await compile(outDir), cleanup: () => rmSync(outDir, { recursive: true, force: true }) };
  }
  const keep = { cleanup: () => undefined };
  try {
    // mkdir is atomic: exactly one suite of the run wins it and builds.
    mkdirSync(join(SHARED_DIR, 'lock'));
  } catch {
    return { main: await builtByAnother(SHARED_DIR), ...keep };
  }
  try {
    const main = await compile(join(SHARED_DIR, 'out'));
    writeFileSync(join(SHARED_DIR, 'done'), main);
    return { main, ...keep };
  } catch (err) {
    writeFileSync(join(SHARED_DIR, 'failed'), String(err));
    throw err;
  }
}

async function builtByAnother(dir: string): Promise<string> {
  for (;;) {
    if (existsSync(join(dir, 'done'))) return readFileSync(join(dir, 'done'), 'utf8');
    if (existsSync(join(dir, 'failed'))) throw new Error(`the shared CLI build failed: ${readFileSync(join(dir, 'failed'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function compile(outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  // Type errors elsewhere in the project must not hide the CLI: emit regardless, then check the entry exists.
  await promisify(execFile)(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: ROOT }).catch(() => undefined);
  // The status page's static files, as `npm run build` copies them.
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/copy-page.js'), outDir], { cwd: ROOT });
  const main = join(outDir, 'cli/main.js');
  if (!existsSync(main)) throw new Error(`the build did not emit ${main}`);
  return main;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An environment with no sqlprobe settings from the developer's shell, plus `env`. */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SQLPROBE_') && !k.startsWith('APPLICATIONINSIGHTS_')));
  return { ...base, NO_COLOR: '1', ...env };
}

/** Runs the CLI to completion with stdin closed (not a terminal). */
export function runCli(cli: BuiltCli, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli.main, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Starts a long-running CLI command; `waitFor` resolves once stdout matches. */
export function spawnCli(cli: BuiltCli, args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; waitFor: (pattern: RegExp) => Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [cli.main, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { pattern: RegExp; resolve: () => void; reject: (err: Error) => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) if (w.pattern.test(out)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let closed: number | null | undefined;
  // A process that exits before printing what a test waits for fails that wait at once, with its output.
  const early = (pattern: RegExp) => new Error(`the CLI exited with ${closed} before printing ${pattern}:\n${out}`);
  const exited = new Promise<number | null>((resolvePromise) => child.on('close', (code) => {
    closed = code;
    for (const w of waiters.splice(0)) w.reject(early(w.pattern));
    resolvePromise(code);
  }));
  return {
    child,
    output: () => out,
    waitFor: (pattern) => {
      if (pattern.test(out)) return Promise.resolve();
      if (closed !== undefined) return Promise.reject(early(pattern));
      return new Promise((resolvePromise, reject) => waiters.push({ pattern, resolve: resolvePromise, reject }));
    },
    exited,
  };
}
