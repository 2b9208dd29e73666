#!/usr/bin/env node
// `npm run schemas`: writes the job contract for other languages to schemas/: JSON Schemas
// (draft-07) of the workflow input, the `state` query, the signal and update arguments and
// results, and the workflow result, generated from the TypeScript types in
// src/contract/job.ts with ts-json-schema-generator, plus schemas/job-contract.json naming
// the workflow type, task queue, query / signal / update names and search attributes.
// It also writes schemas/openapi.json, the HTTP API's document: the bodies and events of
// src/serve/api-types.ts (with the contract types they use) as components, assembled by
// buildOpenApiDocument (src/serve/openapi.ts, compiled) with the rules types cannot state.
// `--check` writes nothing and exits 1 when a checked-in file is stale (test/serve/schemas.test.ts).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const require = createRequire(import.meta.url);
const { createGenerator } = require('ts-json-schema-generator');
const outDir = join(root, 'schemas');
const check = process.argv.includes('--check');

/** Schema files: TypeScript type → file name. */
const TYPES = {
  JobInput: 'job-input.schema.json',
  JobState: 'job-state.schema.json',
  JobResult: 'job-result.schema.json',
  CancelRequest: 'cancel-request.schema.json',
  FollowUpRequest: 'follow-up-request.schema.json',
  PlanApproval: 'plan-approval.schema.json',
  FollowUpAccepted: 'follow-up-accepted.schema.json',
};
/** Argument and result types of each signal / query / update the workflow defines. */
const HANDLERS = {
  cancel: { kind: 'signal', args: ['CancelRequest'], optionalArgs: true },
  state: { kind: 'query', args: [], result: 'JobState' },
  followUp: { kind: 'update', args: ['FollowUpRequest'], result: 'FollowUpAccepted' },
  approvePlan: { kind: 'update', args: ['PlanApproval'], result: 'FollowUpAccepted' },
  refinePlan: { kind: 'update', args: ['PlanRefinement'], result: 'FollowUpAccepted' },
  interactionWebhook: { kind: 'signal', args: ['WebhookNotice'] },
  refreshProgress: { kind: 'update', args: [], result: 'JobState' },
};
/** Types whose values are open sets: a newer worker may report values not listed here. */
const OPEN_SETS = ['JobStatus', 'JobPhase'];

function openSets(schema) {
  for (const name of OPEN_SETS) {
    const def = schema.definitions?.[name];
    if (def?.enum) {
      schema.definitions[name] = {
        description: `${def.description ? def.description + ' ' : ''}An open set: show values not listed here as text, never fail on them.`,
        anyOf: [{ type: 'string', enum: def.enum }, { type: 'string' }],
      };
    }
  }
  return schema;
}

const generatorFor = (path) =>
  createGenerator({
    path,
    tsconfig: join(root, 'tsconfig.json'),
    type: '*',
    skipTypeCheck: true,
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: true,
    sortProps: true,
  });
const generator = generatorFor(join(root, 'src', 'contract', 'job.ts'));

// The handler names come from the compiled Temporal definitions (npm run build first).
const definitions = require(join(root, 'dist', 'workflows', 'definitions.js'));
const handlers = {};
const missing = [];
for (const value of Object.values(definitions)) {
  if (!value || typeof value !== 'object' || !['signal', 'query', 'update'].includes(value.type) || typeof value.name !== 'string') continue;
  const known = HANDLERS[value.name];
  if (!known) {
    missing.push(value.name);
    continue;
  }
  for (const t of [...known.args, ...(known.result ? [known.result] : [])]) TYPES[t] ??= `${t.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.schema.json`;
  handlers[value.name] = {
    kind: value.type,
    args: known.args.map((t) => ({ schema: TYPES[t], ...(known.optionalArgs ? { optional: true } : {}) })),
    ...(known.result ? { result: TYPES[known.result] } : {}),
  };
}
if (missing.length > 0) {
  console.error(`gen-schemas: add ${missing.join(', ')} to HANDLERS in scripts/gen-schemas.mjs (its argument and result types)`);
  process.exit(1);
}

const files = {};
for (const [type, file] of Object.entries(TYPES)) {
  let schema;
  try {
    schema = generator.createSchema(type);
  } catch (err) {
    console.error(`gen-schemas: no exported type ${type} in src/contract/job.ts (${err.message.split('\n')[0]}); fix HANDLERS / TYPES in scripts/gen-schemas.mjs`);
    process.exit(1);
  }
  files[file] = openSets({ $id: `https://github.com/gemini-jobs/gemini-jobs/schemas/${file}`, ...schema });
}
files['job-contract.json'] = {
  description:
    'The gemini-jobs job contract for Temporal clients in any language. A job is one workflow execution whose workflow id is the job id; payloads use the default JSON payload converter.',
  workflowType: definitions.JOB_WORKFLOW_TYPE,
  defaultTaskQueue: definitions.DEFAULT_TASK_QUEUE,
  input: { schema: TYPES.JobInput, note: 'One argument. Never put credentials in it: it is stored in workflow history.' },
  result: {
    schema: TYPES.JobResult,
    note: 'The report itself is not in the result: turns[].report is a ReportRef; read it from the workflow history (store "temporal", key <runId>/<activityId>), the result store (store "file") or the API by interaction id (store "api"), and check its sha256. See docs/job-contract.md.',
  },
  handlers: Object.fromEntries(Object.entries(handlers).sort(([a], [b]) => a.localeCompare(b))),
  searchAttributes: Object.fromEntries(Object.entries(definitions.SEARCH_ATTRIBUTE_NAMES).map(([k, name]) => [k, { name, type: 'Keyword' }])),
  startOptions: {
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    initialSearchAttributes:
      'optional: the workflow publishes every search attribute itself from its first task; a starter that sets them to the same values (as the jobs client does) saves that upsert',
  },
};

files['openapi.json'] = openApiDocument();

/**
 * The HTTP API's document. OpenAPI component names allow only `[A-Za-z0-9._-]`, so generated
 * definitions named after generic instantiations (`OpenEnum<…>`) are inlined where they are used;
 * `deprecated: "reason"` becomes `deprecated: true` with the reason in the description.
 */
function openApiDocument() {
  const { definitions } = openSets(generatorFor(join(root, 'src', 'serve', 'api-types.ts')).createSchema('*'));
  const valid = (name) => /^[A-Za-z0-9._-]+$/.test(name);
  const convert = (node, inlining = []) => {
    if (Array.isArray(node)) return node.map((n) => convert(n, inlining));
    if (!node || typeof node !== 'object') return node;
    let out = {};
    for (const [key, value] of Object.entries(node)) out[key] = key === 'deprecated' ? value : convert(value, inlining);
    if (typeof out.$ref === 'string' && out.$ref.startsWith('#/definitions/')) {
      const name = decodeURIComponent(out.$ref.slice('#/definitions/'.length));
      const siblings = { ...out };
      delete siblings.$ref;
      if (valid(name)) out = { $ref: `#/components/schemas/${name}`, ...siblings };
      else {
        if (inlining.includes(name)) throw new Error(`gen-schemas: ${name} refers to itself and has no valid component name`);
        out = { ...convert(definitions[name], [...inlining, name]), ...siblings };
      }
    }
    if (typeof out.deprecated === 'string') {
      out.description = [out.description, `Deprecated: ${out.deprecated}.`].filter(Boolean).join(' ');
      out.deprecated = true;
    }
    return out;
  };
  const components = {};
  for (const [name, schema] of Object.entries(definitions)) if (valid(name)) components[name] = convert(schema);
  const { buildOpenApiDocument } = require(join(root, 'dist', 'src', 'serve', 'openapi.js'));
  return buildOpenApiDocument(components);
}

const stale = [];
if (!check) mkdirSync(outDir, { recursive: true });
for (const [file, value] of Object.entries(files)) {
  const text = JSON.stringify(value, null, 2) + '\n';
  const path = join(outDir, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  if (check) stale.push(file);
  else writeFileSync(path, text);
}
if (check && stale.length > 0) {
  console.error(`gen-schemas: schemas/ is stale (${stale.join(', ')}): run \`npm run build && npm run schemas\` and commit the result`);
  process.exit(1);
}
console.log(check ? 'schemas/ is current' : `wrote ${Object.keys(files).length} files to schemas/`);
