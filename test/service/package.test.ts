/**
 * The package as a consumer gets it (issue 13, points 2–3): `npm pack` the built package, unpack
 * it into a consumer's node_modules (its dependencies linked from this checkout: no registry),
 * then compile the README's service section exactly as printed plus an import of every entry
 * point under each TypeScript module resolution (node16 CJS, nodenext ESM, bundler, classic
 * node via typesVersions), and load every entry point with node (require and import).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { packageRoot } from '../helpers/temporal';

let work: string;
let tarball: string;
const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
  exports: Record<string, unknown>;
};

/** The README code block marked `service-example`, exactly as printed. */
async function readmeServiceExample(): Promise<string> {
  const readme = await readFile(join(packageRoot, 'README.md'), 'utf8');
  const marker = readme.indexOf('<!-- service-example:');
  assert.ok(marker >= 0, 'README has the service-example marker');
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(marker));
  assert.ok(match, 'a ts block follows the marker');
  return match[1]!;
}

/** Every entry point and every name the README says is exported. */
const ENTRIES = `
import { JobsClient, JobValidationError, JobNotFoundError, JobClosedError, JobUpdateRejectedError, JobQueryError,
  JobWaitTimeoutError, TemporalConnectionError, MissingCredentialsError, FileResultStore, InteractionsClient,
  InteractionAccumulator, reportText, runWorker, createJobsWorker, INLINE_REPORT_MAX_BYTES } from 'gemini-jobs';
import type { ResultStore, JobState, JobRequest, JobOptions, JobStatus, TurnRecord, ReportRef, JobEvent, JobOutcome,
  RunWorkerOptions } from 'gemini-jobs';
import { startEmulator } from 'gemini-jobs/emulator';
import type { Emulator } from 'gemini-jobs/emulator';
import { validateCreateRequest } from 'gemini-jobs/interactions';
import { interactionJob, JOB_WORKFLOW_TYPE } from 'gemini-jobs/workflows';
import { createActivities } from 'gemini-jobs/activities';
export const values = [JobsClient, JobValidationError, JobNotFoundError, JobClosedError, JobUpdateRejectedError, JobQueryError,
  JobWaitTimeoutError, TemporalConnectionError, MissingCredentialsError, FileResultStore, InteractionsClient,
  InteractionAccumulator, reportText, runWorker, createJobsWorker, INLINE_REPORT_MAX_BYTES, startEmulator,
  validateCreateRequest, interactionJob, JOB_WORKFLOW_TYPE, createActivities];
export type Types = [ResultStore, JobState, JobRequest, JobOptions, JobStatus, TurnRecord, ReportRef, JobEvent, JobOutcome,
  RunWorkerOptions, Emulator];
`;

const RESOLUTIONS: Array<{ name: string; dir: 'cjs' | 'esm'; options: ts.CompilerOptions }> = [
  { name: 'node16', dir: 'cjs', options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 } },
  { name: 'nodenext (ESM consumer)', dir: 'esm', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
  { name: 'bundler', dir: 'esm', options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler } },
  { name: 'node (classic, typesVersions)', dir: 'cjs', options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 } },
];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gj-package-'));
  // --ignore-scripts: `npm test` built dist already; prepack would rebuild it under running tests.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: packageRoot, encoding: 'utf8' });
  tarball = join(work, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
  for (const dir of ['cjs', 'esm']) {
    const root = join(work, dir);
    const target = join(root, 'node_modules', 'gemini-jobs');
    await mkdir(target, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    // The package's dependencies (and @types/node for the consumer) from this checkout.
    const linked = new Set<string>(['@types', ...Object.keys(pkg.dependencies).map((d) => (d.startsWith('@') ? d.split('/')[0]! : d))]);
    for (const name of linked) await symlink(join(packageRoot, 'node_modules', name), join(root, 'node_modules', name), 'dir');
    await writeFile(join(root, 'package.json'), JSON.stringify({ name: `consumer-${dir}`, private: true, ...(dir === 'esm' ? { type: 'module' } : {}) }));
    await writeFile(join(root, 'service.ts'), await readmeServiceExample());
    await writeFile(join(root, 'entries.ts'), ENTRIES);
  }
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('the package builds on install and on pack, and ships dist with types only', async () => {
  assert.match(pkg.scripts.prepare ?? '', /prepare-package/);
  assert.match(pkg.scripts.prepack ?? '', /prepare-package.*--force/);
  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
  for (const file of [
    'package/dist/src/index.js',
    'package/dist/src/index.d.ts',
    'package/dist/src/cli/main.js',
    'package/dist/workflows/index.js',
    'package/dist/activities/index.d.ts',
  ]) {
    assert.ok(listing.includes(file), `${file} is packed`);
  }
  assert.ok(!listing.some((f) => f.startsWith('package/dist/test/') || f.startsWith('package/dist/bench/')), 'no tests or benches in the package');
  const version = execFileSync(process.execPath, [join(work, 'cjs', 'node_modules', 'gemini-jobs', 'dist', 'src', 'cli', 'main.js'), '--version'], { encoding: 'utf8' });
  assert.equal(version.trim(), pkg.version);
});

for (const resolution of RESOLUTIONS) {
  test(`a consumer compiles the README service section and every entry point under moduleResolution ${resolution.name}`, () => {
    const root = join(work, resolution.dir);
    const program = ts.createProgram([join(root, 'service.ts'), join(root, 'entries.ts')], {
      ...resolution.options,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      ignoreDeprecations: '5.0',
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${d.file.fileName})` : ''));
    assert.deepEqual(diagnostics, []);
  });
}

test('every entry point loads with require and with import', async () => {
  const specifiers = Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'gemini-jobs' : `gemini-jobs/${k.slice(2)}`));
  const cjs = execFileSync(
    process.execPath,
    ['-e', `for (const s of ${JSON.stringify(specifiers)}) { const m = require(s); if (!Object.keys(m).length) throw new Error(s); } console.log('ok')`],
    { cwd: join(work, 'cjs'), encoding: 'utf8' },
  );
  assert.equal(cjs.trim(), 'ok');
  const esm = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `for (const s of ${JSON.stringify(specifiers)}) { const m = await import(s); if (!Object.keys(m).length) throw new Error(s); } console.log('ok')`,
    ],
    { cwd: join(work, 'esm'), encoding: 'utf8' },
  );
  assert.equal(esm.trim(), 'ok');
  assert.ok((await readdir(join(work, 'esm', 'node_modules', 'gemini-jobs', 'dist'))).includes('src'));
});

test('the main entry exports the product; the emulator only from gemini-jobs/emulator', () => {
  const names = (specifier: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)}))))`], { cwd: join(work, 'cjs'), encoding: 'utf8' }),
    ) as string[];
  const main = names('gemini-jobs');
  assert.ok(main.includes('JobsClient') && main.includes('runWorker'), 'the product is in the main entry');
  assert.ok(!main.includes('startEmulator'), 'startEmulator is not in the main entry');
  assert.ok(names('gemini-jobs/emulator').includes('startEmulator'));
});
