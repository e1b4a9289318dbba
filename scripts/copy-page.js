#!/usr/bin/env node
// Copies the status page's static files (HTML, CSS, browser scripts) next to the compiled CLI:
// tsc emits only what it compiles. Usage: node scripts/copy-page.js [outDir] (default dist).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const from = path.join(root, 'cli/status/page');
const to = path.join(path.resolve(root, process.argv[2] ?? 'dist'), 'cli/status/page');
fs.rmSync(to, { recursive: true, force: true });
fs.cpSync(from, to, { recursive: true });
