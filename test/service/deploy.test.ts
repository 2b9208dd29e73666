/**
 * Deployment files without a Docker engine: docker-compose.yml parsed and checked against what
 * the README documents, the Dockerfile's command run outside Docker, and the service
 * example compiled against the published types (`gemini-jobs` → dist/src/index.d.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTE_NAMES } from '../../workflows/definitions';
import { packageRoot } from '../helpers/temporal';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string | string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  deploy?: { replicas?: number | string };
  stop_grace_period?: string;
}

const compose = parse(readFileSync(join(packageRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const guide = readFileSync(join(packageRoot, 'README.md'), 'utf8');
const dockerfile = readFileSync(join(packageRoot, 'Dockerfile'), 'utf8');
const services = compose.services;
const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(' ') : (v ?? ''));

test('compose: postgres, schema job, Temporal server, setup job, UI and workers wired by health', () => {
  assert.deepEqual(Object.keys(services).sort(), ['postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker']);
  const pg = services.postgresql!;
  assert.equal(pg.image, 'postgres:16');
  assert.deepEqual([pg.environment?.POSTGRES_USER, pg.environment?.POSTGRES_PASSWORD], ['temporal', 'temporal']);
  assert.match(text(pg.healthcheck?.test), /pg_isready/);

  const schema = services['temporal-schema']!;
  assert.match(schema.image!, /^temporalio\/admin-tools:/);
  assert.equal(schema.depends_on?.postgresql?.condition, 'service_healthy');
  const sql = text(schema.command);
  assert.match(sql, /temporal-sql-tool --plugin postgres12/);
  assert.match(sql, /for db in temporal temporal_visibility/);
  assert.match(sql, /v12\/\$\$dir\/versioned/);

  const server = services.temporal!;
  assert.equal(server.image, 'temporalio/server:1.30.1');
  assert.equal(server.environment?.DB, 'postgres12');
  assert.equal(server.environment?.POSTGRES_SEEDS, 'postgresql');
  assert.equal(server.depends_on?.['temporal-schema']?.condition, 'service_completed_successfully');
  assert.match(text(server.healthcheck?.test), /7233/);
  const dynamicConfig = server.environment!.DYNAMIC_CONFIG_FILE_PATH!.split('/').pop()!;
  const configFile = readFileSync(join(packageRoot, 'deploy', 'dynamicconfig', dynamicConfig), 'utf8');
  assert.match(configFile, /frontend\.enableUpdateWorkflowExecution:/);

  const setup = services['temporal-setup']!;
  assert.equal(setup.depends_on?.temporal?.condition, 'service_healthy');
  const setupScript = text(setup.command);
  for (const name of Object.values(SEARCH_ATTRIBUTE_NAMES)) assert.match(setupScript, new RegExp(`\\b${name}\\b`));
  assert.match(setupScript, /search-attribute create .*--type Keyword/);
  assert.match(setupScript, /namespace create/);

  const ui = services['temporal-ui']!;
  assert.equal(ui.image, 'temporalio/ui:2.34.0');
  assert.deepEqual(ui.ports, ['8080:8080']);
  assert.equal(ui.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
});

test('compose: the worker gets credentials from the environment only, scales with replicas', () => {
  const worker = services.worker!;
  assert.deepEqual(worker.build, { context: '.', dockerfile: 'Dockerfile' });
  assert.equal(worker.depends_on?.['temporal-setup']?.condition, 'service_completed_successfully');
  assert.ok(Number(worker.deploy?.replicas) >= 1, 'deploy.replicas');
  const env = worker.environment!;
  assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
  for (const key of ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_CLOUD_PROJECT', 'GOOGLE_CLOUD_LOCATION', 'GEMINI_JOBS_BASE_URL']) {
    assert.equal(env[key], `\${${key}:-}`, `${key} is passed through from the host, empty by default`);
  }
  // Every variable the worker gets is documented, and the documented images are the ones used.
  for (const key of Object.keys(env)) assert.match(guide, new RegExp(`\\| \`${key}\` \\|`), `${key} is in the guide's table`);
  for (const service of Object.values(services)) if (service.image && service !== worker) assert.ok(guide.includes(service.image), `${service.image} in the guide`);
  assert.ok(guide.includes('deploy.replicas') || guide.includes('--scale worker='));
  // A stop grace longer than the worker's shutdown grace, so follow activities can hand over.
  assert.ok(parseInt(worker.stop_grace_period ?? '10', 10) * 1000 > Number(/:-(\d+)/.exec(env.GEMINI_JOBS_SHUTDOWN_GRACE_MS!)![1]));
});

test('Dockerfile: glibc Node 20, npm ci, prune, and a command that works outside Docker', () => {
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  assert.deepEqual(froms, ['node:20-bookworm-slim', 'node:20-bookworm-slim']);
  assert.match(dockerfile, /RUN npm ci\b/);
  assert.match(dockerfile, /npm prune --omit=dev/);
  const json = (instruction: string) => JSON.parse(new RegExp(`^${instruction} (\\[.*\\])$`, 'm').exec(dockerfile)![1]!) as string[];
  const command = [...json('ENTRYPOINT'), ...json('CMD')];
  assert.deepEqual(command, ['node', 'dist/src/cli/main.js', 'worker']);
  assert.deepEqual(text(services.worker!.command), 'worker');
  for (const path of ['dist/src', 'dist/workflows', 'dist/activities']) assert.ok(dockerfile.includes(`/app/${path} ./${path}`), path);

  const run = spawnSync(process.execPath, [...command.slice(1), '--help'], { cwd: packageRoot, encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Usage: gemini-jobs worker/);
  const dockerignore = readFileSync(join(packageRoot, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['node_modules', 'dist', '.git', '.env']) assert.ok(dockerignore.includes(entry), `.dockerignore has ${entry}`);
});

test('examples/service.ts compiles against the package entry point', () => {
  const configPath = join(packageRoot, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, packageRoot);
  const program = ts.createProgram([join(packageRoot, 'examples', 'service.ts')], { ...config.options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(diagnostics, []);
});
