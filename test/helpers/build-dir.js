// Jest's globalSetup and globalTeardown: a directory for the whole run, where the CLI's end-to-end
// suites share one build of the project (test/cli/cli-process.ts). Workers start after the setup,
// so they inherit the variable. Nothing is built here: a run without those suites builds nothing.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const VAR = 'SQLPROBE_TEST_BUILD_DIR';

module.exports = async function setup() {
  process.env[VAR] = mkdtempSync(join(tmpdir(), 'sqlprobe-test-build-'));
};

module.exports.teardown = async function teardown() {
  if (process.env[VAR]) rmSync(process.env[VAR], { recursive: true, force: true });
};
