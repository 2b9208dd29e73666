/**
 * Deployment files without a Docker engine: docker-compose.yml parsed and checked against what
 * the docs document (README, docs/configuration.md, docs/service-guide.md) and against what a real Temporal 1.30.1 server on PostgreSQL needs (facts
 * found running it: scripts/cluster.mjs, test/cluster/), `docker compose config` where Compose v2
 * exists, the Dockerfile's command run outside Docker, and the service example compiled against
 * the published types (`gemini-jobs` → dist/src/index.d.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
// The documentation a deployer reads: the README, the configuration reference and the deploy guide.
const guide = ['README.md', 'docs/configuration.md', 'docs/service-guide.md'].map((f) => readFileSync(join(packageRoot, f), 'utf8')).join('\n');
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
  assert.ok(existsSync(join(packageRoot, 'deploy', 'dynamicconfig', dynamicConfig)), `deploy/dynamicconfig/${dynamicConfig}`);

  const setup = services['temporal-setup']!;
  assert.equal(setup.depends_on?.temporal?.condition, 'service_healthy');
  const setupScript = text(setup.command);
  for (const name of Object.values(SEARCH_ATTRIBUTE_NAMES)) assert.match(setupScript, new RegExp(`\\b${name}\\b`));
  assert.match(setupScript, /search-attribute create .*--type Keyword/);
  assert.match(setupScript, /namespace create/);

  const ui = services['temporal-ui']!;
  assert.equal(ui.image, 'temporalio/ui:2.34.0');
  assert.deepEqual(ui.ports, ['127.0.0.1:8080:8080']);
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

/** End of life of the Node LTS lines (nodejs.org release schedule). */
const NODE_LTS_END_OF_LIFE: Record<number, string> = { 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30' };

test('Dockerfile: glibc Node on a supported LTS line (the one CI also runs), npm ci, prune, and a command that works outside Docker', () => {
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
  assert.equal(froms.length, 2);
  for (const from of froms) {
    const match = /^node:(\d+)-bookworm-slim\b/.exec(from);
    assert.ok(match, `${from}: a glibc (Debian) Node image; Alpine is unsupported by @temporalio/core-bridge`);
    const eol = NODE_LTS_END_OF_LIFE[Number(match[1])];
    assert.ok(eol, `${from}: Node ${match[1]} is not an LTS line`);
    assert.ok(Date.parse(eol) > Date.now(), `${from}: Node ${match[1]} reached end of life on ${eol}; move to a supported LTS`);
  }
  const nodeLts = readFileSync(join(packageRoot, 'scripts', 'node-lts.mjs'), 'utf8');
  assert.equal(/NODE_LTS_MAJOR = (\d+)/.exec(nodeLts)?.[1], /^node:(\d+)/.exec(froms[1]!)?.[1], "CI runs the suite on the image's Node line");
  // BuildKit fetches the frontend image named by a `# syntax=` line: a pull for nothing.
  assert.doesNotMatch(dockerfile, /^#\s*syntax=/m);
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

const server = () => services.temporal!;

test('compose: dynamic config has only keys Temporal 1.30.1 knows, none of them testing-only', () => {
  const file = join(packageRoot, 'deploy', 'dynamicconfig', server().environment!.DYNAMIC_CONFIG_FILE_PATH!.split('/').pop()!);
  const config = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
  const keys = Object.keys(config ?? {});
  // Unknown in 1.30.1 (a warning on every load), defaults already true, or documented as not for production.
  for (const key of [
    'frontend.enableExecuteMultiOperation',
    'frontend.enableUpdateWorkflowExecution',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted',
    'system.forceSearchAttributesCacheRefreshOnRead',
  ]) {
    assert.ok(!keys.includes(key), `${key} does not belong in ${file}`);
  }
  // The binary the cluster uses, when it is built here: its own validator must be silent.
  const binary = join(packageRoot, '.tools', `temporal-server-v${/temporalio\/server:(\S+)/.exec(server().image!)![1]}`, 'server');
  if (!existsSync(binary)) return;
  const run = spawnSync(binary, ['validate-dynamic-config', file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.doesNotMatch(run.stdout, /warning|error/, run.stdout);
});

test('compose: setup retries through the namespace cache race and waits until the search attributes resolve', () => {
  const setup = services['temporal-setup']!;
  const script = text(setup.command);
  assert.match(script, /retry\(\) \{[^}]*until "\$\$@"/, 'a retry helper');
  assert.match(script, /retry temporal operator search-attribute list/);
  assert.match(script, /retry temporal operator search-attribute create/);
  const probe = Object.values(SEARCH_ATTRIBUTE_NAMES)
    .map((name) => `${name} = 'probe'`)
    .join(' AND ');
  assert.ok(script.includes(probe), `the setup waits until a query resolves every name: ${probe}`);
  assert.match(script, /retry temporal workflow count /);
});

test('compose: no-auth is explicit and only on loopback; pools fit PostgreSQL max_connections', () => {
  const env = server().environment!;
  assert.equal(env.TEMPORAL_ALLOW_NO_AUTH, 'true', 'future servers refuse to start without an authorizer unless told');
  for (const service of Object.values(services))
    for (const port of service.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, `${port}: an unauthenticated port published on loopback only`);
  // frontend, history, matching and worker each open a default pool and a visibility pool.
  const services4 = 4;
  const perService = Number(env.SQL_MAX_CONNS) + Number(env.SQL_VIS_MAX_CONNS);
  assert.ok(Number.isInteger(perService) && perService > 0, 'SQL_MAX_CONNS and SQL_VIS_MAX_CONNS are set');
  assert.ok(Number(env.SQL_MAX_IDLE_CONNS) <= Number(env.SQL_MAX_CONNS) && Number(env.SQL_VIS_MAX_IDLE_CONNS) <= Number(env.SQL_VIS_MAX_CONNS));
  const maxConnections = 100; // PostgreSQL's default (postgres:16 keeps it)
  const reserved = 3 + 10; // superuser_reserved_connections, plus the admin tools and a psql
  assert.ok(services4 * perService <= maxConnections - reserved, `${services4} x ${perService} connections exceed ${maxConnections - reserved}`);
});

test('compose: the header names docs that exist and the docs say Compose v2', () => {
  const header = readFileSync(join(packageRoot, 'docker-compose.yml'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .join('\n');
  const docs = [...header.matchAll(/\b(docs\/[\w-]+\.md)\b/g)].map((m) => m[1]!);
  assert.ok(docs.length > 0);
  for (const doc of docs) assert.ok(existsSync(join(packageRoot, doc)), `${doc} (named in the compose header) exists`);
  assert.match(guide, /Compose v2/);
  assert.match(header, /Compose v2/);
});

const composeV2 = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
test('compose: `docker compose config` accepts the file', { skip: composeV2.status === 0 ? false : 'Docker Compose v2 is not installed here' }, () => {
  const run = spawnSync('docker', ['compose', '-f', join(packageRoot, 'docker-compose.yml'), 'config', '--quiet'], {
    cwd: packageRoot,
    encoding: 'utf8',
    env: { ...process.env, GEMINI_API_KEY: '' },
  });
  assert.equal(run.status, 0, run.stderr);
});
