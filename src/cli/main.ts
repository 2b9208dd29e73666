#!/usr/bin/env node
/** The `gemini-jobs` executable (package.json "bin"). */
import { runCli } from './run';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Open handles (a native runtime, a lingering socket) must not keep a finished command alive.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`gemini-jobs: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
