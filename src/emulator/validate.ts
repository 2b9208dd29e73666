/** Server-side validation of a create body, mirroring the 400s and 404s the real API answers. */
import { isCurrentAgent, isKnownModel, retiredAgent } from '../interactions/models';
import { EmulatorHttpError, invalid, notFound } from './errors';
import { isDeepResearchAgent } from './script';
import { isRecord, type JsonRecord } from './wire';

const KNOWN_FIELDS = new Set([
  'model',
  'agent',
  'input',
  'system_instruction',
  'tools',
  'generation_config',
  'agent_config',
  'background',
  'store',
  'stream',
  'previous_interaction_id',
  'response_format',
  'response_mime_type',
  'response_modalities',
  'service_tier',
  'safety_settings',
  'labels',
  'environment',
  'webhook_config',
  'cached_content',
  'continuation_token',
]);

const AGENT_ID = /^(deep-research|antigravity)-/;
/** Google Cloud's label rule: lowercase or international letters, digits, `_`, `-`; keys start with a letter. */
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{Lm}\p{Mn}\p{Nd}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{Lm}\p{Mn}\p{Nd}_-]{0,63}$/u;

/** Names accepted besides the current agents and the SDKs' models (custom agents, test models). */
export interface AcceptedNames {
  extraModels?: readonly string[];
  extraAgents?: readonly string[];
}

/** 404 for an agent or model the API does not serve (unknown, or shut down), in the API's error shape. */
function checkServed(model: unknown, agent: unknown, names: AcceptedNames): void {
  if (typeof agent === 'string' && !isCurrentAgent(agent) && !names.extraAgents?.includes(agent)) {
    const retired = retiredAgent(agent);
    if (retired) throw notFound(`Agent "${agent}" was shut down on ${retired.shutDownOn} and is no longer available. Use "${retired.replacement}".`);
    throw notFound(`Agent "${agent}" was not found.`);
  }
  if (typeof model === 'string' && !isKnownModel(model) && !names.extraModels?.includes(model)) {
    throw notFound(`models/${model} is not found for the Interactions API, or is not supported for interactions.`);
  }
}

export function validateCreate(body: unknown, names: AcceptedNames = {}): JsonRecord {
  if (!isRecord(body)) throw invalid('Invalid JSON payload received. Expected a JSON object.');
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) throw invalid(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
  }
  const { model, agent } = body;
  if (model !== undefined && typeof model !== 'string') throw invalid('model must be a string.');
  if (agent !== undefined && typeof agent !== 'string') throw invalid('agent must be a string.');
  if (model !== undefined && agent !== undefined) throw invalid('Only one of model or agent may be set.');
  if (model === undefined && agent === undefined) throw invalid('One of model or agent is required.');
  if (typeof model === 'string' && AGENT_ID.test(model)) {
    throw invalid(`"${model}" is an agent, not a model. Pass it in the "agent" field.`);
  }
  if (model !== undefined && body['agent_config'] !== undefined) throw invalid('agent_config is only valid with agent; use generation_config with model.');
  if (agent !== undefined && body['generation_config'] !== undefined) throw invalid('generation_config is only valid with model; use agent_config with agent.');
  checkServed(model, agent, names);
  for (const key of ['background', 'store', 'stream'] as const) {
    if (body[key] !== undefined && typeof body[key] !== 'boolean') throw invalid(`${key} must be a boolean.`);
  }
  const input = body['input'];
  // A continuation (`continuation_token` + `previous_interaction_id`, stored thread) omits input.
  const continuation = typeof body['continuation_token'] === 'string' && typeof body['previous_interaction_id'] === 'string';
  if (input === undefined && continuation) {
    // fine: the server continues decoding the previous interaction
  } else if (input === undefined || input === null || input === '' || (Array.isArray(input) && input.length === 0)) {
    throw invalid('input is required.');
  } else if (typeof input !== 'string' && !isRecord(input) && !Array.isArray(input)) throw invalid('input must be a string, a content object, or a list of contents or steps.');
  if (Array.isArray(input) && !input.every(isRecord)) throw invalid('input list items must be objects.');
  if (isDeepResearchAgent(agent) && body['background'] !== true) {
    throw invalid('Deep Research agents run only in the background: set background to true.');
  }
  if (body['background'] === true && body['store'] === false) throw invalid('background requires store to be true.');
  for (const key of ['generation_config', 'agent_config', 'webhook_config'] as const) {
    if (body[key] !== undefined && !isRecord(body[key])) throw invalid(`${key} must be an object.`);
  }
  if (body['tools'] !== undefined) {
    if (!Array.isArray(body['tools'])) throw invalid('tools must be a list.');
    for (const tool of body['tools']) {
      if (!isRecord(tool) || typeof tool['type'] !== 'string') throw invalid('Each tool needs a string type.');
      if (tool['type'] === 'function' && (typeof tool['name'] !== 'string' || !tool['name'])) throw invalid('A function tool needs a name.');
    }
  }
  if (body['previous_interaction_id'] !== undefined && (typeof body['previous_interaction_id'] !== 'string' || !body['previous_interaction_id'])) {
    throw invalid('previous_interaction_id must be a non-empty string.');
  }
  if (body['labels'] !== undefined) {
    const labels = body['labels'];
    if (!isRecord(labels)) throw invalid('labels must be an object of strings.');
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_KEY.test(k) || typeof v !== 'string' || !LABEL_VALUE.test(v)) {
        throw new EmulatorHttpError(400, `Invalid label ${JSON.stringify(k)}: keys and values are at most 63 lowercase (or international) letters, digits, "_" or "-".`);
      }
    }
  }
  return body;
}
