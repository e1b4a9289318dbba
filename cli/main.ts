#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// V8's compile cache (under os.tmpdir()): the modules a command loads are compiled once, not on
// every run. Enabled before anything else loads, so it covers them all.
enableCompileCache?.();

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { run } = require('./program') as typeof import('./program');

run(process.argv).then(
  (code) => {
    // Exit explicitly: a held socket or an exporter timer must not keep a finished command alive.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`sqlprobe: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
