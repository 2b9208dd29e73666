/**
 * What each entry point loads, in a fresh process: the main entry (the jobs client) never loads
 * the worker, its native bridge or webpack; the CLI loads a command's modules only when that
 * command runs, so `--help` loads none and `status` never loads the worker, serve or dev.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/dev/temporal-server';
import { packageRoot } from '../helpers/temporal';
import { CLI } from '../helpers/cli';

/** Packages no light entry may load: the worker, its native bridge and its bundler. */
const HEAVY_PACKAGES = ['@temporalio/worker', '@temporalio/core-bridge', 'webpack', '@swc/core'];

/** Writes the files a process loaded to a file when it exits (a `--require` preload). */
const dir = mkdtempSync(join(tmpdir(), 'gj-entries-'));
const preload = join(dir, 'record-modules.js');
writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(process.env.RECORD_MODULES_TO, JSON.stringify(Object.keys(require.cache))));\n`);
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** The modules `node <args>` loaded (paths relative to the package where they are its own). */
function loadedBy(args: string[], env: NodeJS.ProcessEnv = {}): { files: string[]; packages: Set<string>; project: string[] } {
  const out = join(dir, `run-${runs++}.json`);
  spawnSync(process.execPath, ['--require', preload, ...args], {
    cwd: packageRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, RECORD_MODULES_TO: out },
    encoding: 'utf8',
  });
  const files = JSON.parse(readFileSync(out, 'utf8')) as string[];
  const packages = new Set<string>();
  for (const file of files) {
    const at = file.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const parts = file.slice(at + 'node_modules/'.length).split('/');
    packages.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  const project = files.filter((f) => f.startsWith(join(packageRoot, 'dist'))).map((f) => f.slice(packageRoot.length + 1));
  return { files, packages, project };
}

test('the main entry loads the jobs client without the worker, its native bridge, webpack or undici', () => {
  const { packages, project } = loadedBy(['-e', `require(${JSON.stringify(join(packageRoot, 'dist', 'src', 'index.js'))})`]);
  assert.ok(packages.has('@temporalio/client'), 'the jobs client is built on @temporalio/client');
  for (const heavy of [...HEAVY_PACKAGES, 'undici']) assert.ok(!packages.has(heavy), `the main entry does not load ${heavy}`);
  assert.deepEqual(
    project.filter((f) => /^dist\/(activities|src\/(worker|serve|webhooks|dev|cli|doctor|emulator))\//.test(f)),
    [],
    'no module of another part of the package',
  );
});

test('the worker entry is the one that loads @temporalio/worker', () => {
  const { packages } = loadedBy(['-e', `require(${JSON.stringify(join(packageRoot, 'dist', 'src', 'worker', 'index.js'))})`]);
  assert.ok(packages.has('@temporalio/worker'));
});

test('gemini-jobs --help loads no command; status loads the jobs client but not the worker, serve or dev', async () => {
  const help = loadedBy([CLI, '--help']);
  assert.deepEqual(
    help.project.filter((f) => f.includes('/commands/') || f.includes('/jobs/')),
    [],
    '--help loads no command module',
  );
  assert.ok(!help.packages.has('@temporalio/client'), '--help does not load the Temporal client');

  // Nothing listens on this port: status loads its command, connects, and exits 3.
  const port = await freePort(undefined);
  const status = loadedBy([CLI, 'status', 'job_x', '--address', `127.0.0.1:${port}`], { GEMINI_JOBS_CONNECT_TIMEOUT_MS: '500' });
  assert.ok(status.project.includes('dist/src/cli/commands/jobs.js'), 'status loads the job commands');
  for (const heavy of HEAVY_PACKAGES) assert.ok(!status.packages.has(heavy), `status does not load ${heavy}`);
  assert.deepEqual(
    status.project.filter((f) => /^dist\/(activities|src\/(worker|serve|dev|webhooks|doctor|emulator))\//.test(f)),
    [],
    'status loads no module of the worker, serve, dev, webhooks, doctor or the emulator',
  );
});

test('every package entry resolves to a module that loads (exports and typesVersions agree)', () => {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types: string; default: string }>;
    typesVersions: { '*': Record<string, string[]> };
  };
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const name = key.slice(2);
    if (key !== '.') assert.deepEqual(pkg.typesVersions['*'][name], [target.types.slice(2)], `typesVersions maps ${name} to the same declarations`);
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(join(packageRoot, target.default))})`], { cwd: packageRoot });
  }
});
