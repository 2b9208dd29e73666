/**
 * Request validation against the served OpenAPI document: every path, query and header parameter
 * and every JSON body is checked against the schema the document gives it, with ajv (the JSON
 * Schema 2020-12 validator OpenAPI 3.2 uses), so the server refuses exactly what the document
 * says is invalid. Failures are 400 with the field named and, where the schema describes its
 * rule, that description as the fix.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './errors';
import type { HttpErrorCode } from './errors';

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}

/** The parameters of one request, typed as the document says (numbers as numbers, lists as lists). */
export interface ValidatedParameters {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  header: Record<string, unknown>;
}

export interface OperationValidator {
  /** Checks and converts the parameters; throws a 400 `HttpError` naming the first bad one. */
  parameters(raw: { path: Record<string, string>; query: URLSearchParams; headers: IncomingHttpHeaders }): ValidatedParameters;
  /** Checks a parsed JSON body (`{}` when none was sent); throws a 400 naming the field. */
  body(value: unknown): void;
  /** Whether the operation declares a request body. */
  readonly hasBody: boolean;
}

const DOC_ID = 'urn:gemini-jobs:openapi';
const pointer = (...parts: string[]) => `${DOC_ID}#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/** `123` → 123 for integer/number schemas and `true`/`false` for booleans; anything else stays a string (and fails the type). */
function coerce(value: string, type: unknown): unknown {
  if (type === 'integer' && /^-?\d+$/.test(value)) return Number(value);
  if (type === 'number' && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** `/request/input/0` → `request.input[0]`. */
function fieldOf(instancePath: string, prefix?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = prefix ?? '';
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

const COMBINATORS = new Set(['anyOf', 'oneOf', 'allOf', 'not', 'if']);

/**
 * The error to report: the deepest; at equal depth an unknown field first (most often a typo),
 * then a described alternative (its description says what fits), else the first plain one.
 */
function pickError(errors: readonly ErrorObject[]): ErrorObject {
  const depth = (e: ErrorObject) => e.instancePath.split('/').length + (e.keyword === 'required' || e.keyword === 'additionalProperties' ? 1 : 0);
  const deepest = Math.max(...errors.map(depth));
  const candidates = errors.filter((e) => depth(e) === deepest);
  const unknownField = candidates.find((e) => e.keyword === 'additionalProperties');
  const described = candidates.find((e) => COMBINATORS.has(e.keyword) && typeof (e.parentSchema as Schema | undefined)?.description === 'string');
  return unknownField ?? described ?? candidates.find((e) => !COMBINATORS.has(e.keyword)) ?? candidates[0]!;
}

/** The field and the sentence for one ajv error. */
function describe(error: ErrorObject, prefix?: string): { field: string; message: string } {
  const base = fieldOf(error.instancePath, prefix);
  const join = (name: string) => (base === '' ? name : `${base}.${name}`);
  const rule = (error.parentSchema as Schema | undefined)?.description;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: join(String(params.missingProperty)), message: `${join(String(params.missingProperty))} is required` };
    case 'additionalProperties': {
      const allowed = Object.keys(((error.parentSchema as Schema | undefined)?.properties as Schema | undefined) ?? {});
      const field = join(String(params.additionalProperty));
      return { field, message: `${field} is not a field of this request${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}` };
    }
    case 'false schema':
      return {
        field: base,
        message: `${base} may not be set here${base.startsWith('request.') ? ' (the job workflow sets it: remove it, and use a follow-up to continue a thread)' : ''}`,
      };
    case 'type':
      return { field: base, message: `${base} must be ${String(params.type)}, got ${typeName(error.data)}` };
    case 'enum':
      return { field: base, message: `${base} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { field: base, message: typeof rule === 'string' ? `${base} is not valid: ${rule}` : `${base} ${error.message ?? 'is not valid'}` };
  }
}

/** Which stable code a bad field answers with: the job's own codes for the job's fields. */
function codeOf(field: string, location: 'path' | 'query' | 'header' | 'body'): HttpErrorCode {
  const root = field.split(/[.[]/)[0];
  if (root === 'jobId') return 'invalid_job_id';
  if (location === 'query' && (root === 'status' || root === 'agent' || root === 'thread')) return 'invalid_list_filter';
  if (location === 'body' && root === 'thread') return 'invalid_thread';
  if (location === 'body' && (root === 'request' || root === 'options')) return 'invalid_job';
  return 'invalid_request';
}

function fail(errors: readonly ErrorObject[] | null | undefined, location: 'path' | 'query' | 'header' | 'body', prefix?: string): never {
  const { field, message } = errors && errors.length > 0 ? describe(pickError(errors), prefix) : { field: prefix ?? '', message: `${prefix ?? 'the request'} is not valid` };
  throw new HttpError(codeOf(field, location), message, { ...(field !== '' ? { field } : {}) });
}

/** Builds a validator for every operation of `document` (keyed by operation id). */
export function createRequestValidators(document: Record<string, unknown>): Map<string, OperationValidator> {
  const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true, validateFormats: false });
  ajv.addSchema({ ...document, $id: DOC_ID });
  const components = ((document.components as Schema | undefined)?.schemas ?? {}) as Record<string, Schema>;
  const typeOf = (schema: Schema): unknown => {
    const target = typeof schema.$ref === 'string' ? components[schema.$ref.split('/').pop()!] : schema;
    return target?.type;
  };
  const validators = new Map<string, OperationValidator>();
  for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, operation] of Object.entries(operations)) {
      const operationId = operation.operationId as string;
      const parameters = ((operation.parameters as Parameter[] | undefined) ?? []).map((p, i) => ({
        ...p,
        type: typeOf(p.schema),
        itemType: typeOf((p.schema.items as Schema | undefined) ?? {}),
        check: ajv.compile({ $ref: pointer('paths', path, method, 'parameters', String(i), 'schema') }),
      }));
      const content = ((operation.requestBody as Schema | undefined)?.content as Record<string, unknown> | undefined)?.['application/json'];
      let bodyCheck: ValidateFunction | undefined;
      if (content) bodyCheck = ajv.compile({ $ref: pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema') });
      validators.set(operationId, {
        hasBody: bodyCheck !== undefined,
        parameters(raw) {
          const out: ValidatedParameters = { path: {}, query: {}, header: {} };
          for (const p of parameters) {
            let value: unknown;
            if (p.in === 'path') value = raw.path[p.name];
            else if (p.in === 'header') {
              const header = raw.headers[p.name.toLowerCase()];
              value = Array.isArray(header) ? header.join(', ') : header;
            } else if (p.type === 'array') {
              const all = raw.query.getAll(p.name);
              value = all.length > 0 ? all.map((v) => coerce(v, p.itemType)) : undefined;
            } else value = raw.query.get(p.name) ?? undefined;
            if (value === undefined) {
              if (p.required) fail([], p.in, p.name);
              continue;
            }
            if (typeof value === 'string') value = coerce(value, p.type);
            if (!p.check(value)) fail(p.check.errors, p.in, p.name);
            out[p.in][p.name] = value;
          }
          return out;
        },
        body(value) {
          if (bodyCheck && !bodyCheck(value)) fail(bodyCheck.errors, 'body');
        },
      });
    }
  }
  return validators;
}
