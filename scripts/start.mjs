#!/usr/bin/env node
// `npm start [-- options]`: build what is stale, make the Temporal CLI available, run `gemini-jobs dev`.
// `npm start -- --help` answers at once from an existing build instead of compiling first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const args = process.argv.slice(2);
const run = (script, extra = [], opts = {}) => spawnSync(process.execPath, [script, ...extra], { stdio: 'inherit', cwd: root, ...opts });

const wantsHelp = args.includes('--help') || args.includes('-h');
if (!(wantsHelp && existsSync(cli))) {
  // Incremental: compiles only when a source file is newer than the build.
  const built = run(join(root, 'scripts', 'prepare-package.mjs'));
  if (built.status !== 0) process.exit(built.status ?? 1);
}
if (!wantsHelp) {
  const tools = run(join(root, 'scripts', 'temporal-cli.mjs'), [], { stdio: ['inherit', 'ignore', 'inherit'] });
  if (tools.status !== 0) process.exit(tools.status ?? 1);
}
// The dev stack handles Ctrl-C itself (the terminal signals the whole process group): wait for it
// to stop everything, then forward its exit code.
const dev = spawn(process.execPath, [cli, 'dev', ...args], { stdio: 'inherit', cwd: root });
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => dev.kill('SIGTERM')); // a SIGTERM aimed at npm alone still stops the stack
dev.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
