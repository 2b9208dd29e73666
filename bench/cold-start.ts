/**
 * What a program pays to load gemini-jobs, in fresh processes, interleaved, medians:
 *
 *  1. cold start: `node -e "require(entry)"` for `@temporalio/client` alone and the client entry
 *     (`gemini-jobs`, dist/src/index.js), with the modules and packages each loads;
 *  2. `gemini-jobs status <id>` of a finished job on a real dev server, against a bare Node script
 *     that requires `@temporalio/client` and makes the same describe call (and against
 *     `temporal workflow describe`, for reference);
 *  3. `gemini-jobs --help`.
 *
 * With `--base <commit>` the same figures are measured for a build of that commit (git archive
 * into a temporary directory, this checkout's node_modules linked, `tsc`), in the same rounds.
 *
 *   npm run build && node dist/bench/cold-start.js --runs 10 --base 5784a46
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../src/emulator';
import { InteractionsClient } from '../src/interactions/client';
import { JobsClient } from '../src/jobs/jobs-client';
import { createJobsWorker } from '../src/worker/create-worker';
import { getTestEnv, packageRoot, releaseTestEnv, temporalCliPath, uniqueTaskQueue, workflowBundle } from '../test/helpers/temporal';
import { numberFlag, parseFlags } from './lib/args';
import { runMain } from './lib/run-main';
import { median, table } from './lib/stats';

const USAGE = `Usage: node dist/bench/cold-start.js [--runs 10] [--base <commit>]
  --runs <n>       fresh processes per variant (default 10), interleaved round by round
  --base <commit>  also measure a build of this commit (the before figures), in the same rounds`;

/** One way to start a process, measured `runs` times. */
interface Variant {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** For the module count: a file to require in a fresh process instead of running `args`. */
  countArgs?: string[];
  wallMs: number[];
}

/** Wall time of one fresh process, from spawn to exit, in ms; throws on a non-zero exit. */
function timeProcess(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

/** Modules and npm packages a fresh `node <args>` loads (a --require preload records them at exit). */
function countModules(args: string[], env?: NodeJS.ProcessEnv): { modules: number; packages: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gj-count-'));
  try {
    const preload = join(dir, 'record.js');
    const out = join(dir, 'modules.json');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`);
    execFileSync(process.execPath, ['--require', preload, ...args], { env: env ?? process.env, stdio: 'ignore' });
    const files = JSON.parse(readFileSync(out, 'utf8')) as string[];
    const packages = new Set(
      files.flatMap((f) => {
        const at = f.lastIndexOf('node_modules/');
        if (at < 0) return [];
        const [scope, name] = f.slice(at + 'node_modules/'.length).split('/');
        return [scope!.startsWith('@') ? `${scope}/${name}` : scope!];
      }),
    );
    return { modules: files.length - 1 /* the preload */, packages: packages.size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A build of `commit` in a temporary directory: its sources, this checkout's node_modules, `tsc`. */
function buildBase(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gj-base-${commit}-`));
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C ${JSON.stringify(dir)}`], { cwd: packageRoot, stdio: 'inherit' });
  symlinkSync(join(packageRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // --noCheck: only the emitted JavaScript is measured, and this checkout's node_modules may be
  // newer than the commit's (its types need not check against them).
  execFileSync(process.execPath, [join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.package.json'), '--noCheck'], {
    cwd: dir,
    stdio: 'inherit',
  });
  return dir;
}

/** A finished job on a dev server: the emulator and an in-process worker run it, then stop. */
async function finishedJob(): Promise<{ address: string; jobId: string; taskQueue: string }> {
  const env = await getTestEnv();
  const emulator = await startEmulator({ port: 0, timeScale: 600, apiKey: 'k' });
  const taskQueue = uniqueTaskQueue('cold-start');
  const worker = await createJobsWorker({
    connection: env.nativeConnection,
    taskQueue,
    client: new InteractionsClient({ baseUrl: emulator.url, apiKey: 'k' }),
    resultStore: undefined,
    workflowBundle: await workflowBundle(),
    log: { info: () => undefined, warn: () => undefined },
  });
  const jobs = new JobsClient({ client: env.client, taskQueue });
  const jobId = await worker.runUntil(async () => {
    const started = await jobs.start({ agent: 'deep-research-preview-04-2026', input: 'How do heat pumps work?' }, { options: { followUpWindowMs: 0 } });
    await jobs.result(started.jobId, { wait: true });
    return started.jobId;
  });
  await emulator.close();
  return { address: env.address, jobId, taskQueue };
}

/** The bare baseline of `status`: @temporalio/client, connect, one describe, close. */
const BARE_DESCRIBE = `
const { Connection, Client } = require('@temporalio/client');
(async () => {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: 'default' });
  await client.workflow.getHandle(process.argv[1]).describe();
  await connection.close();
})().catch((err) => { console.error(err); process.exit(1); });
`;

async function main(): Promise<void> {
  const flags = parseFlags({ runs: { type: 'string' }, base: { type: 'string' } }, USAGE);
  const runs = numberFlag(flags, 'runs', 10, 1);
  const baseCommit = typeof flags.base === 'string' ? flags.base : undefined;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const loadBefore = loadavg();

  const base = baseCommit ? buildBase(baseCommit) : undefined;
  const { address, jobId } = await finishedJob();
  const cliEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' };
  const temporal = await temporalCliPath();

  const clientEntry = join(packageRoot, 'dist', 'src', 'index.js');
  const cli = join(packageRoot, 'dist', 'src', 'cli', 'main.js');
  const requireOf = (file: string) => ['-e', `require(${JSON.stringify(file)})`];
  const temporalClient = require.resolve('@temporalio/client', { paths: [packageRoot] });
  const variants: Variant[] = [
    { name: "require('@temporalio/client')", command: process.execPath, args: requireOf(temporalClient), wallMs: [] },
    { name: "require('gemini-jobs')", command: process.execPath, args: requireOf(clientEntry), wallMs: [] },
    ...(base ? [{ name: "require('gemini-jobs') before", command: process.execPath, args: requireOf(join(base, 'dist', 'src', 'index.js')), wallMs: [] }] : []),
    { name: 'bare describe script', command: process.execPath, args: ['-e', BARE_DESCRIBE, jobId], env: cliEnv, wallMs: [] },
    { name: 'temporal workflow describe', command: temporal, args: ['workflow', 'describe', '--address', address, '-w', jobId], env: cliEnv, wallMs: [] },
    { name: 'gemini-jobs status', command: process.execPath, args: [cli, 'status', jobId], env: cliEnv, wallMs: [] },
    ...(base
      ? [{ name: 'gemini-jobs status before', command: process.execPath, args: [join(base, 'dist', 'src', 'cli', 'main.js'), 'status', jobId], env: cliEnv, wallMs: [] }]
      : []),
    { name: 'gemini-jobs --help', command: process.execPath, args: [cli, '--help'], wallMs: [] },
    ...(base ? [{ name: 'gemini-jobs --help before', command: process.execPath, args: [join(base, 'dist', 'src', 'cli', 'main.js'), '--help'], wallMs: [] }] : []),
  ];
  // One warm-up round (disk cache), then `runs` rounds, every variant once per round.
  for (const v of variants) await timeProcess(v.command, v.args, v.env);
  for (let round = 0; round < runs; round++) {
    for (const v of variants) v.wallMs.push(await timeProcess(v.command, v.args, v.env));
  }
  const loadAfter = loadavg();

  const med = (name: string) => median(variants.find((v) => v.name === name)?.wallMs ?? []);
  const counts = (v: Variant) => (v.command === process.execPath ? countModules(v.args, v.env) : undefined);
  const rows = [['variant', 'median ms', 'min ms', 'max ms', 'modules', 'packages']];
  for (const v of variants) {
    const c = counts(v);
    rows.push([v.name, med(v.name).toFixed(0), Math.min(...v.wallMs).toFixed(0), Math.max(...v.wallMs).toFixed(0), c ? String(c.modules) : '', c ? String(c.packages) : '']);
  }
  const ratio = (a: string, b: string) => (med(a) / med(b)).toFixed(2);
  const lines = [
    `gemini-jobs cold start, ${runs} fresh processes per variant, interleaved; ${new Date().toISOString().slice(0, 10)}`,
    `machine: ${machine}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after`,
    '',
    table(rows),
    '',
    `client entry / @temporalio/client: ${ratio("require('gemini-jobs')", "require('@temporalio/client')")}×${base ? ` (before: ${ratio("require('gemini-jobs') before", "require('@temporalio/client')")}×)` : ''}  target ≤ 1.2×`,
    `status / bare describe script: ${ratio('gemini-jobs status', 'bare describe script')}×${base ? ` (before: ${ratio('gemini-jobs status before', 'bare describe script')}×)` : ''}  target ≤ 1.5×`,
    `status / temporal workflow describe: ${ratio('gemini-jobs status', 'temporal workflow describe')}×${base ? ` (before: ${ratio('gemini-jobs status before', 'temporal workflow describe')}×)` : ''}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  await releaseTestEnv();
  if (base && existsSync(base)) rmSync(base, { recursive: true, force: true });
}

runMain(main);
