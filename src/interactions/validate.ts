/**
 * Client-side validation run before any request: catches bodies the API would reject (or
 * silently misread), naming the field and the fix. Model names are never validated here.
 */

import { RequestValidationError } from './errors';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function fail(field: string, problem: string, fix: string): never {
  throw new RequestValidationError(field, problem, fix);
}

function expect(body: Obj, field: string, kind: 'string' | 'boolean' | 'object' | 'array' | 'number'): void {
  const v = body[field];
  if (v === undefined) return;
  const ok = kind === 'array' ? Array.isArray(v) : kind === 'object' ? isObj(v) : typeof v === kind && (kind !== 'number' || Number.isFinite(v));
  if (!ok) {
    const article = kind === 'array' || kind === 'object' ? 'an' : 'a';
    fail(field, `\`${field}\` must be ${article} ${kind}, got ${typeName(v)}`, `send \`${field}\` as ${article} ${kind} or leave it out`);
  }
}

/**
 * Label keys: 1–63 characters, a lowercase or international letter first, then those, digits, `_`
 * or `-` (Google Cloud's label rule: "international characters are allowed"). Uppercase refused.
 */
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{Lm}\p{Mn}\p{Nd}_-]{0,62}$/u;
/** Label values: 0–63 characters of lowercase or international letters, digits, `_` or `-`. */
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{Lm}\p{Mn}\p{Nd}_-]{0,63}$/u;
const MAX_LABELS = 64;

/** Check `labels` against the API's rule. */
export function validateLabels(labels: unknown, field = 'labels'): void {
  if (labels === undefined) return;
  if (!isObj(labels)) fail(field, `\`${field}\` must be an object of string values, got ${typeName(labels)}`, 'send e.g. `{ "team": "research" }`');
  const keys = Object.keys(labels);
  if (keys.length > MAX_LABELS) fail(field, `\`${field}\` has ${keys.length} entries`, `send at most ${MAX_LABELS} labels`);
  for (const k of keys) {
    const v = labels[k];
    if (!LABEL_KEY.test(k)) {
      fail(
        `${field}.${k}`,
        `\`${field}\` key ${JSON.stringify(k)} is invalid`,
        'label keys are 1–63 characters: a lowercase (or international) letter first, then lowercase letters, digits, `_` or `-`',
      );
    }
    if (typeof v !== 'string') fail(`${field}.${k}`, `\`${field}.${k}\` must be a string, got ${typeName(v)}`, 'send label values as strings');
    if (!LABEL_VALUE.test(v)) {
      fail(`${field}.${k}`, `\`${field}.${k}\` value ${JSON.stringify(v)} is invalid`, 'label values are at most 63 lowercase (or international) letters, digits, `_` or `-`');
    }
  }
}

function validateTypedArray(body: Obj, field: string): void {
  const v = body[field];
  if (v === undefined) return;
  expect(body, field, 'array');
  (v as unknown[]).forEach((item, i) => {
    if (!isObj(item) || typeof item.type !== 'string') {
      fail(`${field}[${i}]`, `\`${field}[${i}]\` must be an object with a string \`type\``, `e.g. \`{ "type": "google_search" }\``);
    }
  });
}

/** Throw {@link RequestValidationError} when a create body cannot be right. */
export function validateCreateRequest(body: unknown): void {
  if (!isObj(body)) fail('body', `the create body must be an object, got ${typeName(body)}`, 'pass `{ model, input }` or `{ agent, input }`');
  const has = (k: string) => body[k] !== undefined && body[k] !== null;

  if (has('model') && has('agent')) {
    fail('agent', '`model` and `agent` cannot both be set', 'send `model` for a model turn or `agent` for an agent run (e.g. Deep Research), not both');
  }
  if (has('model') && has('agent_config')) {
    fail('agent_config', '`agent_config` cannot be used with `model`', 'use `generation_config` for model turns, or send `agent` instead of `model`');
  }
  if (has('agent') && has('generation_config')) {
    fail('generation_config', '`generation_config` cannot be used with `agent`', 'use `agent_config` for agent runs, or send `model` instead of `agent`');
  }
  if (!has('model') && !has('agent')) {
    fail('model', 'neither `model` nor `agent` is set', 'send `model` (e.g. "gemini-3-flash-preview") or `agent` (e.g. "deep-research-preview-04-2026")');
  }
  for (const k of ['model', 'agent'] as const) {
    if (has(k) && (typeof body[k] !== 'string' || body[k] === '')) {
      fail(k, `\`${k}\` must be a non-empty string, got ${typeName(body[k])}`, `send the ${k} id as a string`);
    }
  }

  if (!has('input') && !(has('previous_interaction_id') && has('continuation_token'))) {
    fail(
      'input',
      '`input` is missing',
      'send `input` (a string, content, content[] or steps[]); it may be omitted only when continuing with `previous_interaction_id` and `continuation_token`',
    );
  }
  const input = body.input;
  if (input !== undefined && typeof input !== 'string' && !isObj(input) && !Array.isArray(input)) {
    fail('input', `\`input\` must be a string, a content object or an array, got ${typeName(input)}`, 'send text as a string, or content/steps as objects');
  }
  if (typeof input === 'string' && input.trim() === '') {
    fail('input', '`input` is an empty string', 'send the question or instruction as non-empty text');
  }
  if (Array.isArray(input) && input.length === 0) {
    fail('input', '`input` is an empty list', 'send at least one content block or step, or send text as a string');
  }
  if (Array.isArray(input)) {
    input.forEach((item, i) => {
      if (!isObj(item) || typeof item.type !== 'string') {
        fail(
          `input[${i}]`,
          `\`input[${i}]\` must be a content block or step with a string \`type\``,
          'e.g. `{ "type": "text", "text": "…" }` or `{ "type": "user_input", "content": [...] }`',
        );
      }
    });
  } else if (isObj(input) && typeof input.type !== 'string') {
    fail('input', '`input` object must have a string `type`', 'e.g. `{ "type": "text", "text": "…" }`');
  }

  for (const k of ['background', 'store', 'stream'] as const) expect(body, k, 'boolean');
  for (const k of ['system_instruction', 'previous_interaction_id', 'continuation_token', 'service_tier', 'cached_content', 'response_mime_type'] as const) {
    expect(body, k, 'string');
  }
  for (const k of ['generation_config', 'webhook_config'] as const) expect(body, k, 'object');
  expect(body, 'response_modalities', 'array');
  validateTypedArray(body, 'tools');
  expect(body, 'safety_settings', 'array');

  if (has('agent_config')) {
    const ac = body.agent_config;
    if (!isObj(ac) || typeof ac.type !== 'string') {
      fail('agent_config', '`agent_config` must be an object with a string `type`', 'e.g. `{ "type": "deep-research", "thinking_summaries": "auto" }`');
    }
  }
  if (has('response_format')) {
    const rf = body.response_format;
    if (!isObj(rf) && !(Array.isArray(rf) && rf.every(isObj))) {
      fail(
        'response_format',
        `\`response_format\` must be an object or an array of objects, got ${typeName(rf)}`,
        'send a JSON Schema object or typed entries like `{ "type": "text", "mime_type": "application/json" }`',
      );
    }
  }
  if (has('environment') && typeof body.environment !== 'string' && !isObj(body.environment)) {
    fail('environment', `\`environment\` must be a string id or an object, got ${typeName(body.environment)}`, 'send an environment id or `{ "type": "remote", ... }`');
  }
  if (isObj(body.webhook_config) && body.webhook_config.uris !== undefined) {
    const uris = body.webhook_config.uris;
    if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string')) {
      fail('webhook_config.uris', '`webhook_config.uris` must be an array of strings', 'send `{ "uris": ["https://…"] }`');
    }
  }
  validateLabels(body.labels);
}

export interface GetParamsLike {
  stream?: unknown;
  last_event_id?: unknown;
  include_input?: unknown;
}

/** Throw {@link RequestValidationError} for an invalid id or GET parameters. */
export function validateGetParams(id: unknown, params: GetParamsLike = {}): void {
  validateId(id);
  if (params.stream !== undefined && typeof params.stream !== 'boolean') {
    fail('stream', `\`stream\` must be a boolean, got ${typeName(params.stream)}`, 'pass `stream: true` or leave it out');
  }
  if (params.last_event_id !== undefined) {
    if (params.stream !== true) {
      fail('last_event_id', '`last_event_id` is only valid with `stream: true`', 'add `stream: true`, or use `resume()` which reconnects for you');
    }
    if (typeof params.last_event_id !== 'string' || params.last_event_id === '') {
      fail('last_event_id', '`last_event_id` must be a non-empty string', 'pass the `event_id` of the last event you processed');
    }
  }
  if (params.include_input !== undefined && typeof params.include_input !== 'boolean') {
    fail('include_input', '`include_input` must be a boolean', 'pass `include_input: true` or leave it out');
  }
}

/** Throw {@link RequestValidationError} unless `id` is a non-empty string. */
export function validateId(id: unknown, field = 'id'): asserts id is string {
  if (typeof id !== 'string' || id.trim() === '') {
    fail(field, `\`${field}\` must be a non-empty string, got ${typeName(id)}`, 'pass the `id` returned by create');
  }
}
