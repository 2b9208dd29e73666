/**
 * The OpenAPI 3.1 document of the HTTP API, served at `GET /v1/openapi.json`. Every operation id
 * here is a route's `operationId` (test/serve/openapi.test.ts checks both directions). The full
 * shapes of job input, state and result are the JSON Schemas in `schemas/` (generated from the
 * TypeScript types); the components below name their required core.
 */

const jobId = { name: 'jobId', in: 'path', required: true, schema: { type: 'string', maxLength: 200 }, description: 'Job id (= Temporal workflow id).' };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));
const accepted = { description: 'Accepted: the new turn', content: json(ref('FollowUpAccepted')) };

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `code` is `invalid_request`, `invalid_job`, `invalid_job_id`, `invalid_thread`, `invalid_list_filter` or `invalid_json`; `field` names the problem. Nothing was enqueued. All codes: docs/errors.md.',
  401: 'Missing or wrong bearer token (`unauthorized`).',
  404: 'No such job (`job_not_found`) or route (`not_found`).',
  409: 'Rejected by the job (`update_rejected`: a turn is running, no plan waits, the follow-up window closed), the job has ended (`job_closed`) or no report yet (`no_report`).',
  413: 'Body larger than the limit (`payload_too_large`).',
  415: 'Body not sent as application/json (`unsupported_media_type`).',
  503: 'Temporal or the worker cannot answer (`temporal_connection`, `query_failed`), or too many event streams (`too_many_streams`).',
};

/** The OpenAPI document (a fresh object each call). */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'gemini-jobs',
      version: '1',
      description: 'Durable Gemini Interactions API jobs (Deep Research, model turns) on Temporal. Every route needs `Authorization: Bearer <token>`.',
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/openapi.json': {
        get: { operationId: 'getOpenApi', summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) }, ...errors(401) } },
      },
      '/v1/jobs': {
        post: {
          operationId: 'startJob',
          summary: 'Start a job (idempotent on a client-chosen jobId)',
          requestBody: { required: true, content: json(ref('StartJobRequest')) },
          responses: {
            202: { description: 'Enqueued', content: json(ref('StartedJob')) },
            200: { description: 'A job with this jobId already existed; nothing was enqueued (`existing: true`)', content: json(ref('StartedJob')) },
            ...errors(400, 401, 413, 415, 503),
          },
        },
        get: {
          operationId: 'listJobs',
          summary: 'List jobs, newest first (visibility is eventually consistent)',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string' }, description: 'Job status; repeat for any of several.' },
            { name: 'agent', in: 'query', schema: { type: 'string' } },
            { name: 'thread', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          ],
          responses: {
            200: { description: 'Jobs', content: json({ type: 'object', required: ['jobs'], properties: { jobs: { type: 'array', items: ref('JobSummary') } } }) },
            ...errors(400, 401, 503),
          },
        },
      },
      '/v1/jobs/{jobId}': {
        get: {
          operationId: 'getJobState',
          summary: 'Job state: phase, status, turns, live progress, plan',
          parameters: [jobId],
          responses: { 200: { description: 'State', content: json(ref('JobState')) }, ...errors(401, 404, 503) },
        },
      },
      '/v1/jobs/{jobId}/result': {
        get: {
          operationId: 'getJobResult',
          summary: 'Latest finished turn and its report: JSON, or Markdown with Accept: text/markdown or format=markdown',
          parameters: [
            jobId,
            { name: 'wait', in: 'query', schema: { type: 'string', enum: ['1', 'true', '0', 'false'] }, description: 'Wait until the current turn is over.' },
            { name: 'timeoutMs', in: 'query', schema: { type: 'integer', minimum: 0, default: 60000 } },
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'markdown'] } },
          ],
          responses: {
            200: { description: 'Outcome', content: { ...json(ref('JobOutcome')), 'text/markdown': { schema: { type: 'string' } } } },
            504: { description: 'The turn did not end within timeoutMs (`wait_timeout`)', content: json(ref('Error')) },
            ...errors(400, 401, 404, 409, 503),
          },
        },
      },
      '/v1/jobs/{jobId}/cancel': {
        post: {
          operationId: 'cancelJob',
          summary: 'Cancel the running interaction and end the job',
          parameters: [jobId],
          requestBody: { required: false, content: json({ type: 'object', additionalProperties: false, properties: { reason: { type: 'string' } } }) },
          responses: {
            202: {
              description: '`cancelRequested: false` when the job had already ended',
              content: json({ type: 'object', required: ['jobId', 'cancelRequested'], properties: { jobId: { type: 'string' }, cancelRequested: { type: 'boolean' } } }),
            },
            ...errors(400, 401, 404, 413, 415),
          },
        },
      },
      '/v1/jobs/{jobId}/follow-up': {
        post: {
          operationId: 'followUpJob',
          summary: 'Ask the next question in the job thread (previous_interaction_id chaining)',
          parameters: [jobId],
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['input'],
              additionalProperties: false,
              properties: { input: { description: 'String, content object or list (as in the create request)' }, overrides: { type: 'object' } },
            }),
          },
          responses: { 202: accepted, ...errors(400, 401, 404, 409, 413, 415) },
        },
      },
      '/v1/jobs/{jobId}/plan/approve': {
        post: {
          operationId: 'approvePlan',
          summary: 'Approve the waiting collaborative-planning plan and run the research',
          parameters: [jobId],
          responses: { 202: accepted, ...errors(400, 401, 404, 409) },
        },
      },
      '/v1/jobs/{jobId}/plan/refine': {
        post: {
          operationId: 'refinePlan',
          summary: 'Ask for a revised plan (instructions or an edited plan)',
          parameters: [jobId],
          requestBody: {
            required: true,
            content: json({ type: 'object', required: ['instructions'], additionalProperties: false, properties: { instructions: { type: 'string', minLength: 1 } } }),
          },
          responses: { 202: accepted, ...errors(400, 401, 404, 409, 413, 415) },
        },
      },
      '/v1/jobs/{jobId}/events': {
        get: {
          operationId: 'streamJobEvents',
          summary: 'Live events as Server-Sent Events (`id:` = seq); resume with Last-Event-ID or from',
          parameters: [
            jobId,
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string', pattern: '^[0-9]+$' }, description: 'Resume after this seq (EventSource sends it on reconnect).' },
            { name: 'from', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'Same as Last-Event-ID, for clients that cannot set headers.' },
            {
              name: 'until',
              in: 'query',
              schema: { type: 'string', enum: ['turn', 'close'], default: 'turn' },
              description: '`turn`: end after the current turn; `close`: follow later turns until the job ends.',
            },
          ],
          responses: {
            200: {
              description: 'event: phase | progress | thought | output | turn-completed | done (data: the JobEvent JSON); unknown event names may appear and should be ignored',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(400, 401, 404, 503),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from GEMINI_JOBS_SERVE_TOKENS.' } },
      responses: Object.fromEntries(Object.entries(ERROR_TEXT).map(([s, description]) => [`E${s}`, { description, content: json(ref('Error')) }])),
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } } },
          },
        },
        StartJobRequest: {
          type: 'object',
          required: ['request'],
          additionalProperties: false,
          properties: {
            jobId: { type: 'string', maxLength: 200, description: 'Your idempotency key: the same jobId again enqueues nothing.' },
            thread: { type: 'string', maxLength: 255 },
            request: {
              type: 'object',
              description:
                'The Interactions create request (model or agent, input, agent_config, tools, …) without background/store/stream/previous_interaction_id. Schema: schemas/job-input.schema.json#/definitions/JobRequest.',
            },
            options: { type: 'object', description: 'JobOptions: mode, deadlineMs, followUpWindowMs, … (schemas/job-input.schema.json).' },
          },
        },
        StartedJob: {
          type: 'object',
          required: ['jobId', 'runId', 'existing'],
          properties: { jobId: { type: 'string' }, runId: { type: 'string' }, existing: { type: 'boolean' } },
        },
        JobSummary: {
          type: 'object',
          required: ['jobId', 'runId', 'executionStatus', 'startTime'],
          properties: {
            jobId: { type: 'string' },
            runId: { type: 'string' },
            status: { type: 'string' },
            agent: { type: 'string' },
            thread: { type: 'string' },
            question: { type: 'string' },
            executionStatus: { type: 'string' },
            startTime: { type: 'string', format: 'date-time' },
            closeTime: { type: 'string', format: 'date-time' },
          },
        },
        JobState: {
          type: 'object',
          description: 'schemas/job-state.schema.json. phase and status are open sets: show unknown values as text.',
          required: ['jobId', 'phase', 'status', 'turn', 'turns', 'startedAt', 'elapsedMs'],
          properties: {
            jobId: { type: 'string' },
            phase: { type: 'string' },
            status: { type: 'string' },
            turn: { type: 'integer' },
            turns: { type: 'array', items: { type: 'object' } },
            startedAt: { type: 'string' },
            elapsedMs: { type: 'number' },
            deadlineAt: { type: 'string' },
            progress: { type: 'object' },
            plan: { type: 'object' },
          },
        },
        JobOutcome: {
          type: 'object',
          required: ['jobId', 'status', 'reportSource', 'settled', 'closed', 'state'],
          properties: {
            jobId: { type: 'string' },
            status: { type: 'string' },
            turn: { type: 'object' },
            report: { type: 'string', description: 'Markdown' },
            reportSource: { type: 'string' },
            settled: { type: 'boolean' },
            closed: { type: 'boolean' },
            state: ref('JobState'),
          },
        },
        FollowUpAccepted: { type: 'object', required: ['turn', 'interactionId'], properties: { turn: { type: 'integer' }, interactionId: { type: 'string' } } },
      },
    },
  };
}
