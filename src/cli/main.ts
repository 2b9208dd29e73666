#!/usr/bin/env node
/** The `gemini-jobs` executable (package.json "bin"). */
import { runCli } from './run';

// A reader that stops early (`gemini-jobs status <id> | head -3`) closes the pipe: that ends the
// output, it is not the command's failure. Exit quietly, as a command stopped by SIGPIPE does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

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
