#!/usr/bin/env node
// Stages the one deployment package that every region runs, on any OS:
//
//   node scripts/stage-package.js [--out DIR]      (default DIR: .deploy)
//
// DIR/package holds freshly compiled dist/, host.json, package.json, the lockfile and the production
// dependencies (`npm ci --omit=dev --ignore-scripts`); DIR/sqlprobe.zip holds the same files. azd
// deploys DIR/package (azure.yaml `dist`, `remoteBuild: false`) and scripts/publish-regions.* upload
// the zip, so every region runs the same files. It refuses a package with a dev dependency or a
// `node` binary in it. Needs the repository's dev dependencies installed (npm ci) to compile.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '..');
const COPIED = ['host.json', 'package.json', 'package-lock.json'];

function run(command, args, cwd) {
  // npm is npm.cmd on Windows, which only starts through a shell; every argument here is a constant.
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' && command === 'npm' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}) in ${cwd}`);
}

/** Every file below dir, as sorted '/'-separated relative paths. Symbolic links are refused. */
function listFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => {
      if (e.isSymbolicLink()) throw new Error(`${path.join(e.parentPath, e.name)} is a symbolic link; the package holds files only`);
      return e.isFile();
    })
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * What must not be in a staged package: a package the lockfile marks dev-only (jest, typescript,
 * azurite ...), a `node` binary (the node@22 dev dependency ships one for the developer's OS), or no
 * compiled functions at all.
 */
function packageProblems(dir, lock) {
  const problems = [];
  for (const [where, info] of Object.entries(lock.packages ?? {})) {
    if (where && info.dev === true && fs.existsSync(path.join(dir, where))) problems.push(`dev dependency ${where.slice(where.lastIndexOf('node_modules/') + 13)} (${where})`);
  }
  for (const file of listFiles(dir)) {
    if (/(^|\/)node(\.exe)?$/.test(file)) problems.push(`node binary ${file}`);
  }
  const functions = path.join(dir, 'dist', 'functions');
  if (!fs.existsSync(functions) || !fs.readdirSync(functions).some((f) => f.endsWith('.js'))) problems.push('no compiled functions in dist/functions');
  return problems;
}

// A zip archive (PKWARE APPNOTE 6.3.10): one local header and data per file, then the central
// directory. Fixed timestamps, so the same files make the same bytes.
const DOS_DATE_1980 = (1 << 5) | 1;
const LIMIT = 0xffffffff;

function writeZip(dir, files, zipPath) {
  const fd = fs.openSync(zipPath, 'w');
  const central = [];
  let offset = 0;
  const write = (buffer) => {
    fs.writeSync(fd, buffer);
    offset += buffer.length;
  };
  try {
    if (files.length > 0xffff) throw new Error(`${files.length} files: more than a zip without Zip64 holds`);
    for (const file of files) {
      const full = path.join(dir, file);
      const data = fs.readFileSync(full);
      const deflated = zlib.deflateRawSync(data, { level: 9 });
      const stored = deflated.length >= data.length;
      const body = stored ? data : deflated;
      const name = Buffer.from(file, 'utf8');
      const crc = zlib.crc32(data);
      if (offset > LIMIT || data.length > LIMIT) throw new Error('package too large for a zip without Zip64');
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4); // version needed: 2.0
      local.writeUInt16LE(0x0800, 6); // UTF-8 names
      local.writeUInt16LE(stored ? 0 : 8, 8);
      local.writeUInt16LE(0, 10);
      local.writeUInt16LE(DOS_DATE_1980, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(body.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      central.push({ name, crc, method: stored ? 0 : 8, size: body.length, raw: data.length, offset, mode: fs.statSync(full).mode & 0o777 });
      write(local);
      write(name);
      write(body);
    }
    const start = offset;
    for (const e of central) {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0, so the file mode below counts
      header.writeUInt16LE(20, 6);
      header.writeUInt16LE(0x0800, 8);
      header.writeUInt16LE(e.method, 10);
      header.writeUInt16LE(0, 12);
      header.writeUInt16LE(DOS_DATE_1980, 14);
      header.writeUInt32LE(e.crc, 16);
      header.writeUInt32LE(e.size, 20);
      header.writeUInt32LE(e.raw, 24);
      header.writeUInt16LE(e.name.length, 28);
      header.writeUInt32LE(((0o100000 | e.mode) << 16) >>> 0, 38); // regular file and its permissions
      header.writeUInt32LE(e.offset, 42);
      write(header);
      write(e.name);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(central.length, 8);
    end.writeUInt16LE(central.length, 10);
    end.writeUInt32LE(offset - start, 12);
    end.writeUInt32LE(start, 16);
    write(end);
  } finally {
    fs.closeSync(fd);
  }
}

/** Builds DIR/package and DIR/sqlprobe.zip from the repository at root; returns what it staged. */
function stage(out = path.join(ROOT, '.deploy'), root = ROOT) {
  const dir = path.join(out, 'package');
  const zip = path.join(out, 'sqlprobe.zip');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!fs.existsSync(tsc)) throw new Error('TypeScript is not installed: run `npm ci` in the repository first');
  // A fresh dist/, so no file of a function deleted since the last build is deployed.
  run(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist')], root);
  for (const file of COPIED) fs.copyFileSync(path.join(root, file), path.join(dir, file));
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
  // Links to package binaries (symbolic links on Linux and macOS): nothing at run time uses them.
  for (const bin of fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isDirectory() && e.name === '.bin')) {
    fs.rmSync(path.join(bin.parentPath, bin.name), { recursive: true, force: true });
  }
  const problems = packageProblems(dir, JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')));
  if (problems.length > 0) throw new Error(`the staged package must not contain:\n  ${problems.join('\n  ')}`);
  const files = listFiles(dir);
  writeZip(dir, files, zip);
  const bytes = files.reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  return { dir, zip, files: files.length, bytes, zipBytes: fs.statSync(zip).size };
}

module.exports = { stage, packageProblems, listFiles, writeZip };

if (require.main === module) {
  const at = process.argv.indexOf('--out');
  try {
    const staged = stage(at > 0 ? path.resolve(process.argv[at + 1]) : undefined);
    const mb = (n) => (n / 1e6).toFixed(1);
    console.log(`stage-package: ${path.relative(process.cwd(), staged.dir) || '.'}: ${staged.files} files, ${mb(staged.bytes)} MB; ${path.relative(process.cwd(), staged.zip)}: ${mb(staged.zipBytes)} MB`);
  } catch (err) {
    console.error(`stage-package: ${err.message}`);
    process.exit(1);
  }
}
