#!/usr/bin/env node
import { buildSimCommand } from './cli';

buildSimCommand()
  .name('sqlprobe-sim')
  .parseAsync(process.argv)
  .catch((e: Error) => {
    process.stderr.write(`sqlprobe-sim: ${e.message}\n`);
    process.exit(2);
  });
