// The one package every region runs, built for real as azd's pre-package hook builds it (compile,
// copy, `npm ci --omit=dev --ignore-scripts` from the npm registry): compiled functions and production
// dependencies only, never a dev dependency or the `node` binary of the developer's OS, and a zip
// that an independent reader (Python's zipfile) finds whole and identical to the directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles, packageProblems, writeZip } from '../../scripts/stage-package';
import { ROOT } from './infra-files';

interface Lock {
  packages: Record<string, { dev?: boolean }>;
}
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lock;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Names and CRC checks of a zip, read by Python's zipfile. */
function readZip(path: string): { names: string[]; bad: string | null } {
  const out = execFileSync('python3', ['-c', 'import json,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({"names": z.namelist(), "bad": z.testzip()}))', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out) as { names: string[]; bad: string | null };
}

describe('staged package', () => {
  let out: string;
  let summary: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'sqlprobe-stage-'));
    summary = execFileSync(process.execPath, [join(ROOT, 'scripts', 'stage-package.js'), '--out', out], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  }, 600_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const dir = () => join(out, 'package');

  it('holds the compiled functions, host.json, package.json and lockfile', () => {
    for (const file of ['host.json', 'package.json', 'package-lock.json']) expect(readFileSync(join(dir(), file), 'utf8')).toBe(readFileSync(join(ROOT, file), 'utf8'));
    const sources = readdirSync(join(ROOT, 'functions')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '.js'));
    expect(readdirSync(join(dir(), 'dist', 'functions')).filter((f) => f.endsWith('.js')).sort()).toEqual(sources.sort());
  });

  it('holds every production dependency and no dev dependency, nor a node binary', () => {
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(join(dir(), 'node_modules', name, 'package.json'))).toBe(true);
    const devOnly = Object.entries(lock.packages).filter(([where, info]) => where && info.dev).map(([where]) => where);
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/jest', 'node_modules/typescript', 'node_modules/node', 'node_modules/azurite']));
    expect(devOnly.filter((where) => existsSync(join(dir(), where)))).toEqual([]);
    expect(listFiles(dir()).filter((f) => /(^|\/)node(\.exe)?$/.test(f))).toEqual([]);
    expect(packageProblems(dir(), lock)).toEqual([]);
  });

  it('zips exactly the staged files, readable by another zip implementation', () => {
    const files = listFiles(dir());
    const zip = readZip(join(out, 'sqlprobe.zip'));
    expect(zip.bad).toBeNull();
    expect(zip.names).toEqual(files);
    expect(summary).toMatch(new RegExp(`: ${files.length} files, \\d+\\.\\d MB; .*sqlprobe\\.zip: \\d+\\.\\d MB\\n$`));
  });
});

describe('package checks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlprobe-fake-package-'));
    mkdirSync(join(dir, 'dist', 'functions'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'functions', 'probe.js'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('find a dev dependency, nested or not, and a node binary', () => {
    for (const where of ['node_modules/jest', 'node_modules/node/bin', 'node_modules/@azure/functions']) mkdirSync(join(dir, where), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'node', 'bin', 'node'), 'ELF');
    const fakeLock = { packages: { '': {}, 'node_modules/jest': { dev: true }, 'node_modules/node': { dev: true }, 'node_modules/@azure/functions': {} } };
    expect(packageProblems(dir, fakeLock)).toEqual(['dev dependency jest (node_modules/jest)', 'dev dependency node (node_modules/node)', 'node binary node_modules/node/bin/node']);
  });

  it('find a package without compiled functions', () => {
    rmSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'host.json'), '{}');
    expect(packageProblems(dir, { packages: {} })).toEqual(['no compiled functions in dist/functions']);
  });

  it('zip names with "/" whatever the OS, and refuse a symbolic link', () => {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'b', 'c.txt'), 'x'.repeat(1000));
    writeZip(dir, listFiles(dir), `${dir}.zip`);
    const zip = readZip(`${dir}.zip`);
    rmSync(`${dir}.zip`);
    expect(zip).toEqual({ names: ['a/b/c.txt', 'dist/functions/probe.js'], bad: null });
    execFileSync('ln', ['-s', 'a', join(dir, 'link')]);
    expect(() => listFiles(dir)).toThrow(/link is a symbolic link/);
  });
});
