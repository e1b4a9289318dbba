#!/usr/bin/env node
import { run } from './program';

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
