/**
 * The package as a new user gets it, in a fresh project: `npm init -y`, `npm pkg set type=module`,
 * the packed tarball and TypeScript 5.9 and 7 from the registry (npm's cache first), `tsc --init`.
 * Every TypeScript snippet of README.md and docs/*.md and an import of every entry point compile
 * with `strict` and `skipLibCheck: false` under node16, nodenext and bundler resolution (and
 * classic node10 for the entry points, where TypeScript still has it); the README's service code,
 * built with `tsc --init`'s settings as they are, runs against the emulator and a Temporal dev
 * server with a worker started by `npx gemini-jobs worker`. Also: the tarball ships every file its
 * declarations reference, and every entry loads with require and import.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { startEmulator } from '../../src/emulator';
import { getTestEnv, packageRoot, releaseTestEnv, uniqueTaskQueue } from '../helpers/temporal';
import { packageSnippets, type Snippet } from '../helpers/snippets';

const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
  exports: Record<string, unknown>;
};

/** The `@google/genai` that package.json pins: docs/google-sdks.md's snippets use it. */
const GOOGLE_GENAI_VERSION = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@google/genai']!;

/** The TypeScript versions a user may have: the 5.9 line and the current major (`npm i -D typescript`). */
const TYPESCRIPTS = [
  { name: 'ts59', spec: 'typescript@~5.9.0', label: 'TypeScript 5.9' },
  { name: 'ts7', spec: 'typescript@^7', label: 'TypeScript 7' },
] as const;
type TypeScriptName = (typeof TYPESCRIPTS)[number]['name'];

/**
 * Module settings per resolution, given to `tsc` over the project's `tsc --init` tsconfig. Every
 * case also sets `skipLibCheck: false`, and `exactOptionalPropertyTypes: false`: `tsc --init`
 * turns that on, and @temporalio/client 1.24's own schedule declarations fail it.
 */
const RESOLUTIONS = [
  { name: 'nodenext', flags: ['--module', 'nodenext', '--moduleResolution', 'nodenext'], snippets: true },
  { name: 'node16', flags: ['--module', 'node16', '--moduleResolution', 'node16'], snippets: true },
  { name: 'bundler', flags: ['--module', 'preserve', '--moduleResolution', 'bundler'], snippets: true },
  // Classic resolution reads typesVersions: a CommonJS consumer (esModuleInterop, as such projects
  // set it), entry points only. TypeScript 7 no longer has this resolution.
  {
    name: 'node10',
    flags: ['--module', 'commonjs', '--moduleResolution', 'node10', '--verbatimModuleSyntax', 'false', '--esModuleInterop', 'true'],
    snippets: false,
    only: 'ts59' as TypeScriptName,
  },
];

let work: string;
let project: string;
let tarball: string;
const snippets: Snippet[] = packageSnippets(packageRoot);

/** Runs `cmd` in the project; its output on failure. */
function run(cmd: string, args: string[], cwd = project, env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function tscOf(ts: TypeScriptName): string {
  return join(project, 'node_modules', ts, 'bin', 'tsc');
}

/** Every public entry (`gemini-jobs`, `gemini-jobs/worker`, …) from package.json's exports. */
function entrySpecifiers(): string[] {
  return Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'gemini-jobs' : `gemini-jobs/${k.slice(2)}`));
}

/** A module importing every entry point, its values and its types. */
function entriesModule(): string {
  const specifiers = entrySpecifiers();
  return (
    specifiers.map((s, i) => `import * as entry${i} from '${s}';`).join('\n') +
    `\nimport type { JobState, JobEvent, JobsClientOptions } from 'gemini-jobs';\n` +
    `import type { RunWorkerOptions } from 'gemini-jobs/worker';\n` +
    `export const entries = [${specifiers.map((_, i) => `entry${i}`).join(', ')}];\n` +
    `export type Types = [JobState, JobEvent, JobsClientOptions, RunWorkerOptions];\n`
  );
}

/** The file name of a snippet: where it is printed. */
function snippetFile(snippet: Snippet): string {
  return snippet.where.replace(/[/:.]/g, '_') + '.ts';
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gj-fresh-'));
  project = join(work, 'service');
  await mkdir(project);
  // --ignore-scripts: `npm test` built dist already; prepack would rebuild it under running tests.
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: packageRoot, encoding: 'utf8' });
  tarball = join(work, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
  run('npm', ['init', '-y']);
  run('npm', ['pkg', 'set', 'type=module']);
  // One install for every case: the package and both TypeScripts (aliased), @types/node of this Node.
  const nodeMajor = process.versions.node.split('.')[0];
  // And the Google SDK of docs/google-sdks.md, at the version this repository pins, for its snippets.
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    tarball,
    ...TYPESCRIPTS.map((t) => `${t.name}@npm:${t.spec}`),
    `@types/node@${nodeMajor}`,
    `@google/genai@${GOOGLE_GENAI_VERSION}`,
  ]);
  for (const ts of TYPESCRIPTS) {
    const dir = join(project, `init-${ts.name}`);
    await mkdir(dir);
    run(process.execPath, [tscOf(ts.name), '--init'], dir);
  }
});
after(async () => {
  await releaseTestEnv();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Relative module specifiers a declaration file refers to. */
function relativeReferences(dts: string): string[] {
  const specs = [...dts.matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g), ...dts.matchAll(/<reference\s+path=['"]([^'"]+)['"]/g)];
  return specs.map((m) => m[1]!);
}

test('the tarball ships dist with types, no tests, and every file its declarations reference', () => {
  assert.match(pkg.scripts.prepare ?? '', /prepare-package/);
  assert.match(pkg.scripts.prepack ?? '', /prepare-package.*--force/);
  const listing = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n'));
  for (const file of ['package/dist/src/index.js', 'package/dist/src/index.d.ts', 'package/dist/src/cli/main.js', 'package/dist/workflows/index.js']) {
    assert.ok(listing.has(file), `${file} is packed`);
  }
  assert.ok(![...listing].some((f) => f.startsWith('package/dist/test/') || f.startsWith('package/dist/bench/')), 'no tests or benches in the package');
  const installed = join(project, 'node_modules', 'gemini-jobs');
  const missing: string[] = [];
  for (const file of listing) {
    if (!file.endsWith('.d.ts')) continue;
    const dts = readFileSync(join(installed, file.slice('package/'.length)), 'utf8');
    for (const spec of relativeReferences(dts)) {
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      const base = target.replace(/\.(js|mjs|cjs)$/, '');
      const candidates = [target, `${base}.d.ts`, `${base}.d.mts`, `${base}.d.cts`, `${base}/index.d.ts`];
      if (!candidates.some((c) => listing.has(c))) missing.push(`${file} → ${spec}`);
    }
  }
  assert.deepEqual(missing, [], 'declarations refer only to files the tarball holds');
});

test('every snippet marker of README.md and docs/ sits on a TypeScript snippet; the service code is one of them', () => {
  assert.ok(snippets.length >= 3, `${snippets.length} snippets found`);
  assert.equal(snippets.filter((s) => s.role === 'service').length, 1, 'exactly one snippet is the service code');
  assert.ok(snippets.find((s) => s.role === 'service')!.where.startsWith('README.md:'));
});

for (const ts of TYPESCRIPTS) {
  for (const resolution of RESOLUTIONS) {
    if (resolution.only && resolution.only !== ts.name) continue;
    const what = resolution.snippets ? 'every README and docs snippet and every entry point' : 'every entry point';
    test(`${ts.label}, moduleResolution ${resolution.name}, strict, skipLibCheck false: ${what} compile as printed`, async () => {
      const dir = join(project, `case-${ts.name}-${resolution.name}`);
      await mkdir(join(dir, 'snippets'), { recursive: true });
      await copyFile(join(project, `init-${ts.name}`, 'tsconfig.json'), join(dir, 'tsconfig.json'));
      if (resolution.name === 'node10') await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
      await writeFile(join(dir, 'entries.ts'), entriesModule());
      const preludeLines = new Map<string, { snippet: Snippet; lines: number }>();
      if (resolution.snippets) {
        for (const snippet of snippets.filter((s) => s.role !== 'skip')) {
          const file = snippetFile(snippet);
          preludeLines.set(file, { snippet, lines: snippet.prelude === '' ? 0 : snippet.prelude.split('\n').length - 1 });
          await writeFile(join(dir, 'snippets', file), snippet.prelude + snippet.code);
        }
      }
      const result = spawnSync(
        process.execPath,
        [tscOf(ts.name), '-p', dir, '--noEmit', '--pretty', 'false', '--skipLibCheck', 'false', '--exactOptionalPropertyTypes', 'false', ...resolution.flags],
        { cwd: dir, encoding: 'utf8' },
      );
      // Errors in a snippet point at the line of README.md or docs/ where it is printed.
      const errors = (result.stdout + result.stderr)
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) =>
          l.replace(/snippets\/([\w-]+\.ts)\((\d+),(\d+)\)/, (whole, file: string, line: string, col: string) => {
            const at = preludeLines.get(file);
            if (!at) return whole;
            const [doc, fence] = at.snippet.where.split(':');
            const n = Number(line) - at.lines;
            return n > 0 ? `${doc}:${Number(fence) + n}:${col}` : `${doc}:${fence} (prelude line ${line})`;
          }),
        );
      assert.deepEqual(errors, [], `tsc exited ${result.status}`);
      assert.equal(result.status, 0);
    });
  }
}

test("the README's service code, built with tsc --init's settings as they are, runs against the emulator and a dev server", async () => {
  const env = await getTestEnv();
  const emulator = await startEmulator({ port: 0, timeScale: 600 });
  const dir = join(project, 'app');
  await mkdir(dir);
  const service = snippets.find((s) => s.role === 'service')!;
  await writeFile(join(dir, 'service.ts'), service.code);
  const newest = TYPESCRIPTS[TYPESCRIPTS.length - 1]!;
  await copyFile(join(project, `init-${newest.name}`, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  run(process.execPath, [tscOf(newest.name), '-p', dir], dir);
  assert.ok(existsSync(join(dir, 'service.js')), 'tsc emitted service.js beside service.ts');

  const taskQueue = uniqueTaskQueue('fresh-project');
  const base = { PATH: process.env.PATH, HOME: work, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', GEMINI_JOBS_TASK_QUEUE: taskQueue };
  // The worker as the README says: `npx gemini-jobs worker`, the only process with Gemini settings.
  const worker = spawn(join(project, 'node_modules', '.bin', 'gemini-jobs'), ['worker'], {
    cwd: project,
    env: { ...base, GEMINI_JOBS_BASE_URL: emulator.url, GEMINI_API_KEY: 'fresh-project-key' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let workerOutput = '';
  worker.stdout.on('data', (d: Buffer) => (workerOutput += d.toString('utf8')));
  worker.stderr.on('data', (d: Buffer) => (workerOutput += d.toString('utf8')));
  const workerExited = new Promise<number | null>((resolve) => worker.on('close', (code) => resolve(code)));
  try {
    // Asynchronously: the emulator answers from this process.
    const serviceRun = await runNode(join(dir, 'service.js'), dir, base);
    assert.equal(serviceRun.status, 0, `service: ${serviceRun.stderr}\nworker: ${workerOutput}`);
    const jobId = /^job (\S+)$/m.exec(serviceRun.stderr)?.[1];
    assert.ok(jobId?.startsWith('job_'), `research() returned the job id: ${serviceRun.stderr}`);
    const created = emulator.interactions().filter((i) => i.request['input'] === 'How do heat pumps work?');
    assert.equal(created.length, 1, 'one interaction for the one job');
    assert.equal(serviceRun.stdout, emulator.canonicalReport(created[0]!.id) + '\n', 'the report, as the API produced it');
  } finally {
    worker.kill('SIGTERM');
    await workerExited;
    await emulator.close();
  }
});

/** Runs `node <script>` without blocking this process; resolves with its exit code and output. */
function runNode(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('every entry point loads with require and with import in the fresh project', () => {
  const specifiers = JSON.stringify(entrySpecifiers());
  const cjs = run(process.execPath, ['-e', `for (const s of ${specifiers}) { const m = require(s); if (!Object.keys(m).length) throw new Error(s); } console.log('ok')`]);
  assert.equal(cjs.trim(), 'ok');
  const esm = run(process.execPath, [
    '--input-type=module',
    '-e',
    `for (const s of ${specifiers}) { const m = await import(s); if (!Object.keys(m).length) throw new Error(s); } console.log('ok')`,
  ]);
  assert.equal(esm.trim(), 'ok');
  const version = run(process.execPath, [join(project, 'node_modules', 'gemini-jobs', 'dist', 'src', 'cli', 'main.js'), '--version']);
  assert.equal(version.trim(), pkg.version);
});

test('the main entry is the jobs client; the worker and the emulator come from their own entries', () => {
  const names = (specifier: string) => JSON.parse(run(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)}))))`])) as string[];
  const main = names('gemini-jobs');
  assert.ok(main.includes('JobsClient') && main.includes('JobValidationError'), 'the jobs client is in the main entry');
  assert.ok(!main.includes('runWorker') && !main.includes('startEmulator'), 'the worker and the emulator are not');
  assert.ok(names('gemini-jobs/worker').includes('runWorker'));
  assert.ok(names('gemini-jobs/emulator').includes('startEmulator'));
});
