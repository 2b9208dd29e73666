/**
 * The OpenAPI 3.2 document of the HTTP API, served at `GET /v1/openapi.json` and used by the
 * server to validate every request (./validation.ts): what it documents is what it enforces.
 *
 * Its schemas are generated: `npm run schemas` (scripts/gen-schemas.mjs) turns the types of
 * ./api-types.ts and the job contract (src/contract) into JSON Schemas and calls
 * {@link buildOpenApiDocument} with them, writing schemas/openapi.json; the server reads that file.
 * {@link RULES} adds what TypeScript types cannot say (lengths, patterns, ranges, fields that
 * exclude each other): each mirrors a check of `JobsClient`, and test/serve/contract-rules.test.ts
 * holds them to the same answers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CREDENTIAL_HEADER, CREDENTIAL_KEY, SECRET_PATTERNS } from '../common/redact';
import { packageRoot } from './package-files';
import { JS_WHITESPACE, portablePattern } from './portable-pattern';
import { AGENT_TURN_DEADLINE_MS } from '../contract/constants';
import { MAX_BATCH_ITEMS } from '../contract/batch';
import { RETIRED_AGENTS } from '../interactions/models';
import { CALLBACK_EVENTS } from '../contract/callback';

export type JsonSchema = Record<string, unknown> | boolean;
type Schemas = Record<string, JsonSchema>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });

/** JavaScript's whitespace (`String.prototype.trim`), spelled out so every regex engine agrees. */
const WHITESPACE = JS_WHITESPACE;
const CONTROL = '\\u0000-\\u001f\\u007f';
/** Largest watch position (`Number.MAX_SAFE_INTEGER`). */
const MAX_POSITION = 9_007_199_254_740_991;
const WEEK_MS = 7 * 24 * 3_600_000;
const HOUR_MS = 3_600_000;
/** Longest `timeoutMs` of `result?wait=1`. */
export const MAX_WAIT_MS = 300_000;
/** Longest list filter value. */
const MAX_FILTER_CHARS = 255;

const ms = (minimum: number, maximum: number) => ({ type: 'number', minimum, maximum });

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const PORT = '(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?';
/**
 * A callback URL the HTTP API accepts: http(s), a host name (its last label starts with a letter;
 * labels of letters and digits joined by single hyphens) or an IPv4 address, a port, then
 * printable ASCII. A subset of what `JobsClient` accepts, so whatever passes here also parses there.
 */
const CALLBACK_URL_PATTERN = `^[Hh][Tt][Tt][Pp][Ss]?://(?:(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\\.)*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|(?:${OCTET}\\.){3}${OCTET})${PORT}(?:[/?#][!-~]*)?$`;

/**
 * At most `units` UTF-16 code units, as JavaScript counts `length`: JSON Schema counts code
 * points, so a string of up to `units` characters passes when every one is in the Basic
 * Multilingual Plane, and any string of up to half as many characters passes.
 */
const utf16MaxLength = (units: number) => ({ anyOf: [{ maxLength: Math.floor(units / 2) }, { maxLength: units, pattern: '^[\\u0000-\\uffff]*$' }] });
const utf16Text = (units: number) => `1–${units} characters (${Math.floor(units / 2)} when any lies outside the Basic Multilingual Plane, such as an emoji)`;

/** A string shaped like any known credential (src/common/redact.ts), as one portable pattern. */
const CREDENTIAL_SHAPE = SECRET_PATTERNS.map((p) => `(?:${portablePattern(p.pattern)})`).join('|');
/** A field named like a credential must not hold a non-empty string; what it holds otherwise is checked all the same. */
const credentialField = {
  description: 'A field named like a credential must be empty: credentials never go into job input (the worker authenticates with its own).',
  not: { type: 'string', minLength: 1 },
  $ref: '#/components/schemas/NoCredentials',
};
/** No credential anywhere below: `under headers` adds the credential header names (Authorization, Cookie…). */
const noCredentials = (underHeaders: boolean) => ({
  not: { type: 'string', pattern: CREDENTIAL_SHAPE },
  items: ref('NoCredentials'),
  patternProperties: {
    [portablePattern(CREDENTIAL_KEY)]: credentialField,
    ...(underHeaders ? { [portablePattern(CREDENTIAL_HEADER)]: credentialField } : {}),
  },
  properties: { headers: ref('NoCredentialsInHeaders') },
  additionalProperties: ref('NoCredentials'),
});

/** What `JobsClient` checks beyond the types, as schemas (components of the same names). */
export const RULES: Schemas = {
  JobId: {
    type: 'string',
    minLength: 1,
    pattern: `^[^${WHITESPACE}${CONTROL}]+$`,
    ...utf16MaxLength(200),
    description: `A job id (the Temporal workflow id): ${utf16Text(200)}, no whitespace or control characters.`,
  },
  ScheduleId: {
    type: 'string',
    minLength: 1,
    pattern: `^[^${WHITESPACE}${CONTROL}]+$`,
    ...utf16MaxLength(150),
    description: 'A schedule id: 1–150 characters, no whitespace or control characters (each run appends its time to make its job id).',
  },
  ThreadKey: {
    type: 'string',
    minLength: 1,
    pattern: `^[^"\\\\${CONTROL}]+$`,
    ...utf16MaxLength(255),
    description: `A thread key: ${utf16Text(255)}, no double quote, backslash or control character (list filters must match it exactly).`,
  },
  ListFilterValue: {
    type: 'string',
    maxLength: MAX_FILTER_CHARS,
    pattern: `^[^"\\\\${CONTROL}]*$`,
    description: `A list filter value: at most ${MAX_FILTER_CHARS} characters, no double quote, backslash or control character; empty values are ignored.`,
  },
  BatchId: {
    type: 'string',
    minLength: 1,
    pattern: `^[^${WHITESPACE}${CONTROL}]+$`,
    ...utf16MaxLength(180),
    description: `A batch id (its workflow id is gemini-jobs-batch/<batchId>): ${utf16Text(180)}, no whitespace or control characters (item n runs as job <batchId>-<n>).`,
  },
  BatchOptionsRules: {
    description: "`window` and `continueAsNewEvery` from 1 to 10000, a budget of positive limits, `jobOptions` as a job's options; no other option.",
    additionalProperties: false,
    properties: {
      jobOptions: ref('JobOptionsRules'),
      window: { type: 'integer', minimum: 1, maximum: 10_000 },
      continueAsNewEvery: { type: 'integer', minimum: 1, maximum: 10_000 },
      budget: {
        type: 'object',
        additionalProperties: false,
        properties: { maxTotalTokens: { type: 'integer', exclusiveMinimum: 0 }, maxCostUsd: { type: 'number', exclusiveMinimum: 0 } },
      },
    },
  },
  NonBlankText: { type: 'string', pattern: `[^${WHITESPACE}]`, description: 'Text with at least one character that is not whitespace.' },
  EventPosition: {
    type: 'integer',
    minimum: 0,
    maximum: MAX_POSITION,
    description: 'The `seq` (SSE `id`) of an event of this stream; the stream resumes after it.',
  },
  NoCredentials: {
    description:
      'Job input is stored in Temporal history, so no string in it may look like a credential (a Google API key, an OAuth, bearer or GitHub token, a JWT, a private key…) and no field named like one (api_key, access_token, password, secret…; Authorization, Cookie, X-Goog-Api-Key… under `headers`) may hold text. The worker authenticates with its own credentials.',
    ...noCredentials(false),
  },
  NoCredentialsInHeaders: { description: 'As NoCredentials, for the fields of a `headers` object.', ...noCredentials(true) },
  InputRules: {
    description: 'A non-blank string, an object (one content block), or a non-empty list.',
    anyOf: [ref('NonBlankText'), { type: 'object' }, { type: 'array', minItems: 1 }],
  },
  JobRequestRules: {
    description:
      'Exactly one of `model` or `agent`; `agent_config` only with `agent`, `generation_config` only with `model`; `input` required; the workflow owns background, store, stream and previous_interaction_id. Labels: lowercase ASCII here (1–63 characters, a letter first).',
    required: ['input'],
    properties: {
      model: { type: 'string', minLength: 1 },
      agent: {
        type: 'string',
        minLength: 1,
        not: { enum: RETIRED_AGENTS.map((a) => a.id) },
        description: `Not a retired agent: ${RETIRED_AGENTS.map((a) => `${a.id} (shut down ${a.shutDownOn}; use ${a.replacement})`).join(', ')}.`,
      },
      input: ref('InputRules'),
      background: false,
      store: false,
      stream: false,
      previous_interaction_id: false,
      labels: {
        type: 'object',
        maxProperties: 64,
        propertyNames: { pattern: '^[a-z][a-z0-9_-]{0,62}$' },
        additionalProperties: { type: 'string', pattern: '^[a-z0-9_-]{0,63}$' },
      },
    },
    not: { anyOf: [{ required: ['model', 'agent'] }, { required: ['model', 'agent_config'] }, { required: ['agent', 'generation_config'] }] },
  },
  JobOptionsRules: {
    description:
      'Durations in milliseconds within these ranges (a deadline at most the API run limit plus its margin); `pollInitialIntervalMs` may not exceed `pollMaxIntervalMs` when both are given; no other option.',
    additionalProperties: false,
    properties: {
      mode: true,
      deadlineMs: ms(1_000, AGENT_TURN_DEADLINE_MS),
      streamIdleTimeoutMs: ms(100, HOUR_MS),
      pollInitialIntervalMs: ms(10, HOUR_MS),
      pollMaxIntervalMs: ms(10, HOUR_MS),
      heartbeatTimeoutMs: ms(1_000, HOUR_MS),
      notFoundGraceMs: ms(0, HOUR_MS),
      followUpWindowMs: ms(0, WEEK_MS),
      continueAsNewAfterEvents: { type: 'integer', minimum: 20, maximum: 40_000 },
      thread: ref('ThreadKey'),
      tenant: { type: 'string', minLength: 1, ...utf16MaxLength(256), description: `${utf16Text(256)}.` },
      budget: {
        type: 'object',
        additionalProperties: false,
        properties: {
          maxTotalTokens: { type: 'integer', exclusiveMinimum: 0 },
          maxToolCalls: { type: 'integer', exclusiveMinimum: 0 },
          maxWallTimeMs: { type: 'integer', exclusiveMinimum: 0 },
          maxCostUsd: { type: 'number', exclusiveMinimum: 0 },
        },
      },
      callback: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        description: 'Completion callbacks (docs/callbacks.md): an absolute http(s) URL without user or password, and the events (default settled).',
        properties: {
          url: { type: 'string', minLength: 1, maxLength: 2048, pattern: CALLBACK_URL_PATTERN },
          events: { type: 'array', minItems: 1, items: { enum: [...CALLBACK_EVENTS] } },
        },
      },
      chainSchedule: { type: 'string', minLength: 1, ...utf16MaxLength(256), description: `Set by a chained schedule's action. ${utf16Text(256)}.` },
    },
  },
};

/** Three-letter names in upper, lower and title case. */
const names = (list: string[]) => list.flatMap((n) => [n, n.toLowerCase(), n[0] + n.slice(1).toLowerCase()]).join('|');
const cronField = (value: string) => {
  const item = `(?:\\*|${value})(?:/[1-9][0-9]?)?`;
  return `${item}(?:,${item})*`;
};
/**
 * A cron the HTTP API accepts: the named schedules, or five fields of values, names, lists and
 * steps. Ranges (`MON-FRI`) are not part of it — a pattern cannot tell `1-5` from the backwards
 * `5-1` that Temporal refuses — so list the values (`MON,TUE,WED,THU,FRI`); the CLI and the
 * clients take ranges.
 */
const CRON_PATTERN = `^(?:@(?:yearly|annually|monthly|weekly|daily|midnight|hourly)|${[
  cronField('[0-5]?[0-9]'),
  cronField('[01]?[0-9]|2[0-3]'),
  cronField('0?[1-9]|[12][0-9]|3[01]'),
  cronField(`0?[1-9]|1[0-2]|${names(['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'])}`),
  cronField(`[0-7]|${names(['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'])}`),
].join(' +')})$`;
/** Each field of an object schema may also be `null` (a follow-up's override removes the field). */
function nullableFields(schema: JsonSchema): JsonSchema {
  if (typeof schema !== 'object' || !schema.properties) return schema;
  const properties = Object.fromEntries(Object.entries(schema.properties as Schemas).map(([name, s]) => [name, { anyOf: [s, { type: 'null' }] }]));
  return { ...schema, properties };
}

type Refinement = JsonSchema | ((generated: JsonSchema) => JsonSchema);

/** Narrows the generated body schemas: closed objects, and the rules above on their fields. */
const both = (...names: string[]) => ({ allOf: names.map(ref) });
const BODY_REFINEMENTS: Record<string, Record<string, Refinement>> = {
  StartJobBody: {
    jobId: ref('JobId'),
    thread: both('ThreadKey', 'NoCredentials'),
    request: both('JobRequestRules', 'NoCredentials'),
    options: both('JobOptionsRules', 'NoCredentials'),
  },
  FollowUpBody: { input: both('InputRules', 'NoCredentials'), overrides: (schema) => ({ allOf: [nullableFields(schema), ref('NoCredentials')] }) },
  CancelBody: { reason: ref('NoCredentials') },
  ApprovePlanBody: {},
  CreateScheduleBody: {
    scheduleId: ref('ScheduleId'),
    cron: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: CRON_PATTERN,
      description:
        'Five fields "minute hour day-of-month month day-of-week" (UTC) of values, names, lists and steps, or @daily / @hourly / @weekly / @monthly / @yearly. Ranges such as MON-FRI are written as lists here (MON,TUE,WED,THU,FRI).',
    },
    everyMs: { type: 'integer', minimum: 1_000, maximum: 366 * 24 * HOUR_MS },
    request: both('JobRequestRules', 'NoCredentials'),
    // chainSchedule is the schedule's to set (chain: true).
    options: { allOf: [ref('JobOptionsRules'), ref('NoCredentials'), { not: { required: ['chainSchedule'] } }] },
    note: { type: 'string', ...utf16MaxLength(1000) },
  },
  ScheduleNoteBody: { note: { type: 'string', ...utf16MaxLength(1000) } },
  RefinePlanBody: { instructions: both('NonBlankText', 'NoCredentials') },
  StartBatchBody: {
    batchId: ref('BatchId'),
    items: (schema) => ({
      ...(schema as Record<string, unknown>),
      minItems: 1,
      maxItems: MAX_BATCH_ITEMS,
      items: { allOf: [(schema as { items?: unknown }).items, ref('JobRequestRules'), ref('NoCredentials')] },
    }),
    options: both('BatchOptionsRules', 'NoCredentials'),
  },
  CancelBatchBody: { item: { type: 'integer', minimum: 1, maximum: MAX_BATCH_ITEMS }, reason: ref('NoCredentials') },
};

function refineBody(schema: JsonSchema, fields: Record<string, Refinement>): JsonSchema {
  if (typeof schema !== 'object') throw new Error('a request body schema must be an object schema');
  const properties = { ...((schema.properties as Schemas | undefined) ?? {}) };
  for (const [name, refinement] of Object.entries(fields)) {
    if (!(name in properties)) throw new Error(`refinement of unknown body field ${name}`);
    properties[name] = typeof refinement === 'function' ? refinement(properties[name]!) : { allOf: [properties[name], refinement] };
  }
  return { ...schema, type: 'object', properties, additionalProperties: false };
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `code` is `invalid_request` (a parameter, header or body field), `invalid_job` (the job request or options), `invalid_job_id`, `invalid_thread`, `invalid_list_filter`, `invalid_json` or `invalid_target`; `field` names the problem. Nothing was enqueued. Beyond this document, a job is refused when its input holds a credential or exceeds 1,500,000 bytes of JSON.',
  401: 'Missing or wrong bearer token (`unauthorized`). The connection is closed; the body is not read.',
  403: 'The `Host` header names a host this server does not serve (`host_not_allowed`; loopback servers answer loopback names and `--allowed-hosts`).',
  404: 'No such job (`job_not_found`) or schedule (`schedule_not_found`).',
  409: 'Rejected by the job (`update_rejected`: a turn is running, no plan waits, the follow-up window closed, the budget is spent), the job has ended (`job_closed`) or it has no report yet (`no_report`); a schedule with that id exists (`schedule_exists`); a batch has no item of that number (`batch_item_not_found`).',
  413: 'Body larger than the limit (`payload_too_large`). The connection is closed.',
  415: 'Body not sent as application/json (`unsupported_media_type`).',
  500: 'The server failed (`internal`); its log has the details.',
  502: "The Gemini API refused or failed the next turn's create (the code is the API error's: `bad_request`, `rate_limited`, …).",
  503: 'Temporal or the worker cannot answer now (`temporal_connection`, `query_failed`, `search_attributes_missing`), or the server relays its maximum of event streams (`too_many_streams`, with `Retry-After`).',
};

/** Start requests that run as they are (test/serve/contract.test.ts runs them). */
const START_EXAMPLES = {
  deepResearch: {
    summary: 'A Deep Research job with thought summaries, in its own thread',
    value: {
      thread: 'heat-pumps',
      request: {
        agent: 'deep-research-preview-04-2026',
        input: 'How do heat pumps perform in cold climates?',
        agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
      },
    },
  },
  modelTurn: {
    summary: 'A model turn, idempotent on its jobId, with a 10-minute deadline',
    value: {
      jobId: 'summary-2026-12-07',
      request: { model: 'gemini-3-flash-preview', input: 'Summarise the heat pump report in five bullet points.' },
      options: { deadlineMs: 600_000 },
    },
  },
};

const errorResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));
const batchIdParam = { name: 'batchId', in: 'path', required: true, schema: ref('BatchId'), description: 'Batch id (its Temporal workflow id is gemini-jobs-batch/<batchId>).' };
const batchLinks = Object.fromEntries(
  ['getBatchState', 'cancelBatch'].map((operationId) => [
    operationId,
    { operationId, parameters: { batchId: '$response.body#/batchId' }, description: `The started batch's ${operationId}.` },
  ]),
);
const jobIdParam = { name: 'jobId', in: 'path', required: true, schema: ref('JobId'), description: 'Job id (= Temporal workflow id).' };
const TURN_ERRORS = [400, 401, 403, 404, 409, 413, 415, 500, 502, 503];
const scheduleIdParam = { name: 'scheduleId', in: 'path', required: true, schema: ref('ScheduleId'), description: 'Schedule id.' };
const scheduleAction = (verb: string, summary: string, withNote: boolean) => ({
  operationId: `${verb}Schedule`,
  summary,
  parameters: [scheduleIdParam],
  ...(withNote ? { requestBody: { required: false, content: json(ref('ScheduleNoteBody')) } } : {}),
  responses: {
    200: { description: 'Done', content: json(ref('ScheduleActionAnswer')) },
    ...errorResponses(400, 401, 403, 404, ...(withNote ? [413, 415] : []), 500, 503),
  },
});

/** Operations that take a job id, linked from a start so stateful tests follow the job they made. */
const JOB_OPERATIONS = ['getJobState', 'getJobResult', 'cancelJob', 'followUpJob', 'approvePlan', 'refinePlan', 'streamJobEvents'];
const jobLinks = Object.fromEntries(
  JOB_OPERATIONS.map((operationId) => [operationId, { operationId, parameters: { jobId: '$response.body#/jobId' }, description: `The started job's ${operationId}.` }]),
);

/** One `itemSchema` branch per SSE event name, its `data` the event's JSON schema. */
function streamItemSchema(schemas: Schemas): JsonSchema {
  const events = schemas.StreamEvents;
  const properties = typeof events === 'object' ? (events.properties as Schemas | undefined) : undefined;
  if (!properties) throw new Error('the generated schemas lack StreamEvents (src/serve/api-types.ts)');
  return {
    oneOf: Object.entries(properties).map(([name, schema]) => ({
      type: 'object',
      required: name === 'error' ? ['event', 'data'] : ['event', 'data', 'id'],
      properties: {
        event: { const: name },
        id: { type: 'string', pattern: '^[0-9]+$' },
        data: { type: 'string', contentMediaType: 'application/json', contentSchema: schema },
        retry: { type: 'integer' },
      },
    })),
  };
}

/**
 * The document, from the generated schemas (`generated`: component name → JSON Schema, refs
 * already pointing at `#/components/schemas/…`). Pure: scripts/gen-schemas.mjs calls it.
 */
export function buildOpenApiDocument(generated: Schemas): Record<string, unknown> {
  const schemas: Schemas = { ...generated, ...RULES };
  for (const [name, fields] of Object.entries(BODY_REFINEMENTS)) {
    if (!(name in generated)) throw new Error(`the generated schemas lack ${name} (src/serve/api-types.ts)`);
    schemas[name] = refineBody(generated[name]!, fields);
  }
  // A schedule has exactly one timing.
  schemas.CreateScheduleBody = { ...(schemas.CreateScheduleBody as Record<string, unknown>), oneOf: [{ required: ['cron'] }, { required: ['everyMs'] }] };
  const started = { content: json(ref('StartJobAnswer')), links: jobLinks };
  const accepted = { description: 'Accepted: the new turn was created and runs', content: json(ref('TurnAccepted')) };
  return {
    openapi: '3.2.0',
    info: {
      title: 'gemini-jobs',
      version: '1',
      description:
        'Durable Gemini Interactions API jobs (Deep Research, model turns) on Temporal. Every route needs `Authorization: Bearer <token>`. Generated from the job contract (schemas/); the server validates every request against this document.',
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          responses: { 200: { description: 'OpenAPI 3.2', content: json({ type: 'object' }) }, ...errorResponses(400, 401, 403, 500) },
        },
      },
      '/v1/jobs': {
        post: {
          operationId: 'startJob',
          summary: 'Start a job (idempotent on a client-chosen jobId)',
          requestBody: { required: true, content: { 'application/json': { schema: ref('StartJobBody'), examples: START_EXAMPLES } } },
          responses: {
            202: { description: 'Enqueued', ...started },
            200: { description: 'A job with this jobId already existed; nothing was enqueued (`existing: true`)', ...started },
            ...errorResponses(400, 401, 403, 413, 415, 500, 503),
          },
        },
        get: {
          operationId: 'listJobs',
          summary: 'List jobs, newest first (visibility is eventually consistent)',
          parameters: [
            ...['status', 'agent', 'thread'].map((name) => ({
              name,
              in: 'query',
              style: 'form',
              explode: true,
              schema: { type: 'array', items: ref('ListFilterValue') },
              description: `Job ${name}; repeat for any of several.${name === 'status' ? ' Statuses are an open set (see JobStatus).' : ''}`,
            })),
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          ],
          responses: { 200: { description: 'Jobs', content: json(ref('JobListAnswer')) }, ...errorResponses(400, 401, 403, 500, 503) },
        },
      },
      '/v1/batches': {
        post: {
          operationId: 'startBatch',
          summary: 'Start a batch: every item runs as job <batchId>-<n> under admission control (idempotent on a client-chosen batchId)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('StartBatchBody'),
                examples: {
                  companies: {
                    summary: 'Two Deep Research questions, two at a time, with a batch budget',
                    value: {
                      items: [
                        { agent: 'deep-research-preview-04-2026', input: 'Company profile: Acme Heat Pumps' },
                        { agent: 'deep-research-preview-04-2026', input: 'Company profile: Borealis Thermal' },
                      ],
                      options: { window: 2, budget: { maxCostUsd: 20 }, jobOptions: { followUpWindowMs: 0 } },
                    },
                  },
                },
              },
            },
          },
          responses: {
            202: { description: 'Enqueued', content: json(ref('StartBatchAnswer')), links: batchLinks },
            200: { description: 'A batch with this batchId already existed; nothing was enqueued (`existing: true`)', content: json(ref('StartBatchAnswer')), links: batchLinks },
            ...errorResponses(400, 401, 403, 413, 415, 500, 503),
          },
        },
      },
      '/v1/batches/{batchId}': {
        get: {
          operationId: 'getBatchState',
          summary: 'Batch progress: counts (pending, running, completed, failed, cancelled), tokens, estimated cost, each item',
          parameters: [batchIdParam],
          responses: { 200: { description: 'State', content: json(ref('BatchStateAnswer')) }, ...errorResponses(400, 401, 403, 404, 500, 503) },
        },
      },
      '/v1/batches/{batchId}/cancel': {
        post: {
          operationId: 'cancelBatch',
          summary: 'Cancel the whole batch (pending items never start, running ones are cancelled), or one item',
          parameters: [batchIdParam],
          requestBody: { required: false, content: json(ref('CancelBatchBody')) },
          responses: {
            202: { description: '`cancelRequested: false` when the batch had already ended', content: json(ref('CancelBatchAnswer')) },
            ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500, 503),
          },
        },
      },
      '/v1/schedules': {
        post: {
          operationId: 'createSchedule',
          summary: 'Create a recurring job on a Temporal Schedule (cron or interval); each run is a job',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: ref('CreateScheduleBody'),
                examples: {
                  weekly: {
                    summary: 'Deep Research every Monday 08:00 UTC, each run chained to the previous one',
                    value: {
                      cron: '0 8 * * MON',
                      chain: true,
                      request: { agent: 'deep-research-preview-04-2026', input: 'What changed in heat pump prices since last time?' },
                    },
                  },
                },
              },
            },
          },
          responses: { 201: { description: 'Created', content: json(ref('ScheduleAnswer')) }, ...errorResponses(400, 401, 403, 409, 413, 415, 500, 503) },
        },
        get: {
          operationId: 'listSchedules',
          summary: 'Every job schedule with its next runs',
          responses: { 200: { description: 'Schedules', content: json(ref('ScheduleListAnswer')) }, ...errorResponses(400, 401, 403, 500, 503) },
        },
      },
      '/v1/schedules/{scheduleId}': {
        get: {
          operationId: 'getSchedule',
          summary: 'A schedule: timing, next and recent runs (their job ids), counts, the job every run starts',
          parameters: [scheduleIdParam],
          responses: { 200: { description: 'Schedule', content: json(ref('ScheduleAnswer')) }, ...errorResponses(400, 401, 403, 404, 500, 503) },
        },
        delete: scheduleAction('delete', 'Delete the schedule (its jobs stay)', false),
      },
      '/v1/schedules/{scheduleId}/pause': { post: scheduleAction('pause', 'Stop further runs (a run going on is not touched)', true) },
      '/v1/schedules/{scheduleId}/resume': { post: scheduleAction('resume', 'Run again on the timing', true) },
      '/v1/schedules/{scheduleId}/trigger': { post: scheduleAction('trigger', 'Start a run now (also while paused)', false) },
      '/v1/jobs/{jobId}': {
        get: {
          operationId: 'getJobState',
          summary: 'Job state: phase, status, turns, live progress, plan, cost',
          parameters: [jobIdParam],
          responses: { 200: { description: 'State', content: json(ref('JobStateAnswer')) }, ...errorResponses(400, 401, 403, 404, 500, 503) },
        },
      },
      '/v1/jobs/{jobId}/result': {
        get: {
          operationId: 'getJobResult',
          summary: 'Latest finished turn and its report: JSON, or Markdown with Accept: text/markdown or format=markdown',
          parameters: [
            jobIdParam,
            {
              name: 'wait',
              in: 'query',
              schema: { type: 'string', enum: ['1', 'true', '0', 'false'], default: '0' },
              description: 'Wait until the current turn is over, at most `timeoutMs`; `settled` in the answer tells whether it is.',
            },
            {
              name: 'timeoutMs',
              in: 'query',
              schema: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS, default: 60_000 },
              description: 'Longest wait; a server may end it sooner (its `--max-wait-ms`), answering the outcome so far with `settled: false`.',
            },
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'markdown'] } },
          ],
          responses: {
            200: {
              description: 'Outcome (`settled: false`: the turn is still running, or the wait ended first)',
              headers: { 'X-Job-Status': { description: 'The turn status (Markdown answers only).', schema: { type: 'string' } } },
              content: { ...json(ref('JobOutcomeAnswer')), 'text/markdown': { schema: { type: 'string' } } },
            },
            ...errorResponses(400, 401, 403, 404, 409, 500, 503),
          },
        },
      },
      '/v1/jobs/{jobId}/cancel': {
        post: {
          operationId: 'cancelJob',
          summary: 'Cancel the running interaction and end the job',
          parameters: [jobIdParam],
          requestBody: { required: false, content: json(ref('CancelBody')) },
          responses: {
            202: { description: '`cancelRequested: false` when the job had already ended', content: json(ref('CancelAnswer')) },
            ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
          },
        },
      },
      '/v1/jobs/{jobId}/follow-up': {
        post: {
          operationId: 'followUpJob',
          summary: 'Ask the next question in the job thread (previous_interaction_id chaining)',
          parameters: [jobIdParam],
          requestBody: { required: true, content: json(ref('FollowUpBody')) },
          responses: { 202: accepted, ...errorResponses(...TURN_ERRORS) },
        },
      },
      '/v1/jobs/{jobId}/plan/approve': {
        post: {
          operationId: 'approvePlan',
          summary: 'Approve the waiting collaborative-planning plan and run the research',
          parameters: [jobIdParam],
          requestBody: { required: false, content: json(ref('ApprovePlanBody')) },
          responses: { 202: accepted, ...errorResponses(...TURN_ERRORS) },
        },
      },
      '/v1/jobs/{jobId}/plan/refine': {
        post: {
          operationId: 'refinePlan',
          summary: 'Ask for a revised plan (instructions or an edited plan)',
          parameters: [jobIdParam],
          requestBody: { required: true, content: json(ref('RefinePlanBody')) },
          responses: { 202: { description: 'Accepted: the refinement turn', content: json(ref('PlanRefined')) }, ...errorResponses(...TURN_ERRORS) },
        },
      },
      '/v1/jobs/{jobId}/events': {
        get: {
          operationId: 'streamJobEvents',
          summary: 'Live events as Server-Sent Events (`id:` = seq); resume with Last-Event-ID or from',
          parameters: [
            jobIdParam,
            { name: 'Last-Event-ID', in: 'header', schema: ref('EventPosition'), description: 'Resume after this event (EventSource sends it on reconnect). Wins over `from`.' },
            { name: 'from', in: 'query', schema: ref('EventPosition'), description: 'Same as Last-Event-ID, for clients that cannot set headers.' },
            {
              name: 'until',
              in: 'query',
              schema: { type: 'string', enum: ['turn', 'close'], default: 'turn' },
              description: '`turn`: end after the current turn; `close`: follow later turns until the job ends.',
            },
          ],
          responses: {
            200: {
              description:
                'One SSE event per watch event: `event:` its type, `id:` its seq, `data:` its JSON; a failure after the headers is a last `error` event. A stream lasts at most the server`s stream lifetime (`--max-stream-seconds`); reconnect with Last-Event-ID. Clients should ignore event names they do not know.',
              content: { 'text/event-stream': { itemSchema: streamItemSchema(schemas) } },
            },
            ...errorResponses(400, 401, 403, 404, 500, 503),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from GEMINI_JOBS_SERVE_TOKENS.' } },
      responses: Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([s, description]) => [
          `E${s}`,
          {
            description,
            content: json(ref('ErrorAnswer')),
            ...(s === '401' ? { headers: { 'WWW-Authenticate': { required: true, schema: { type: 'string', pattern: '^Bearer' } } } } : {}),
          },
        ]),
      ),
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

let served: { text: string; document: Record<string, unknown> } | undefined;

/** schemas/openapi.json of this package, read once. */
function load(): { text: string; document: Record<string, unknown> } {
  if (!served) {
    const text = readFileSync(join(packageRoot(), 'schemas', 'openapi.json'), 'utf8');
    served = { text, document: JSON.parse(text) as Record<string, unknown> };
  }
  return served;
}

/** The OpenAPI document (a fresh object each call). */
export function openApiDocument(): Record<string, unknown> {
  return JSON.parse(load().text) as Record<string, unknown>;
}

/** The document as served (its JSON text, read once). */
export function openApiText(): string {
  return load().text;
}
