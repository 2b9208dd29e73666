/**
 * Scripts: the complete, timed event sequence of one run, generated up front from the request
 * and the seed. A run then only replays its script against the clock (see `run.ts`), so the
 * stream, a resumed stream and a GET all derive from the same list.
 *
 * Lifecycle events (`interaction.created`, `interaction.status_update`, `interaction.completed`)
 * appear here as placeholders; the run fills in the interaction id, timestamps and usage when it
 * emits them. Times (`at`) are emulated milliseconds since the run started.
 */
import { createRng, fakeSignature, hash32, randInt, randomToken, type Rng } from './rng';
import { chunk, excerpt, paragraph, planSections, researchPlan, researchReport, sources, topicOf } from './text';
import { isRecord, type JsonRecord, type WireEvent, type WireStep } from './wire';

export interface ScriptEntry {
  /** Emulated milliseconds since the run started. */
  at: number;
  ev: WireEvent;
}

export type RunKind = 'model' | 'agent' | 'deep_research_plan' | 'deep_research';

export interface Script {
  kind: RunKind;
  entries: ScriptEntry[];
  /** The status the run ends with when nothing interrupts it. */
  finalStatus: string;
  /** Topic of a Deep Research run, inherited by follow-ups. */
  topic?: string;
  /** The run never progresses past `in_progress` (see `ScriptShape.zombie`). */
  zombie?: boolean;
}

/** Knobs a scenario may turn (see `FaultPlan`). */
export interface ScriptShape {
  /** Emulated duration of a Deep Research run, in milliseconds. */
  deepResearchDurationMs: number;
  /** Emulated duration of a model turn, in milliseconds (default about 1.2 s). */
  modelTurnDurationMs?: number;
  /** Target size of a Deep Research report, in bytes (default 6,000). */
  reportBytes?: number;
  /** Characters per text delta (default 40 for model turns, 160 for reports). */
  deltaChars?: number;
  /** Inject unknown event, step and delta types into the stream. */
  injectUnknown?: boolean;
  /** Status to end with instead of the natural one (a waiting status ends the run waiting for the client). */
  outcome?: ScriptOutcome;
  /** Emulated milliseconds the run reports `queued` before `in_progress` (0: never queued). */
  queuedMs?: number;
  /** Thought summaries come in bursts of 2–3 separated by long quiet gaps (forum thread 111904). */
  burstyThoughts?: boolean;
  /** Add the newest step/annotation variants (tool_search, code_execution_result content, speech_metadata). */
  newVariants?: boolean;
  /** Zombie: the run announces `in_progress` and then never progresses. */
  zombie?: boolean;
}

/** Every status a script can end with. */
export type ScriptOutcome = 'completed' | 'failed' | 'incomplete' | 'budget_exceeded' | 'requires_continuation' | 'idle';

/** What a follow-up needs to know about the interaction named by `previous_interaction_id`. */
export interface PreviousContext {
  kind: RunKind;
  status: string;
  topic?: string;
  inputText: string;
  steps: WireStep[];
}

export interface ScriptRequest {
  body: JsonRecord;
  inputSteps: WireStep[];
  previous?: PreviousContext;
  seed: number;
}

const CONTENT_TYPES = new Set(['text', 'image', 'audio', 'document', 'video']);

/** Normalizes a create `input` into steps (the form GET shows them in). */
export function inputToSteps(input: unknown): WireStep[] {
  if (typeof input === 'string') return [{ type: 'user_input', content: [{ type: 'text', text: input }] }];
  const asContent = (c: JsonRecord): JsonRecord => (c['type'] === undefined && typeof c['text'] === 'string' ? { type: 'text', ...c } : c);
  const isContent = (c: unknown) => isRecord(c) && (CONTENT_TYPES.has(c['type'] as string) || (c['type'] === undefined && typeof c['text'] === 'string'));
  if (isRecord(input)) return isContent(input) ? [{ type: 'user_input', content: [asContent(input)] }] : [structuredClone(input) as WireStep];
  if (!Array.isArray(input)) return [];
  if (input.every(isContent)) return [{ type: 'user_input', content: input.map((c) => asContent(c as JsonRecord)) }];
  return input.map((item) => (isContent(item) ? { type: 'user_input', content: [asContent(item as JsonRecord)] } : (structuredClone(item) as WireStep)));
}

/** All user-visible text of some steps (user_input text, function results, outputs). */
export function stepsText(steps: readonly WireStep[], types: readonly string[] = ['user_input']): string {
  const out: string[] = [];
  for (const s of steps) {
    if (!types.includes(s.type)) continue;
    for (const c of (s['content'] as JsonRecord[] | undefined) ?? []) if (c['type'] === 'text') out.push(String(c['text'] ?? ''));
  }
  return out.join('\n');
}

export function isDeepResearchAgent(name: unknown): boolean {
  return typeof name === 'string' && name.startsWith('deep-research');
}

const APPROVAL = /^\s*(approve[sd]?|approved|yes|ok(ay)?|lgtm|looks good|go( ahead)?|proceed|start)\b/i;

/** Seeds a run from everything that shapes its content, so equal requests give equal runs. */
export function scriptSeed(body: JsonRecord, inputSteps: WireStep[], previous: PreviousContext | undefined, seed: number): number {
  const tools = Array.isArray(body['tools']) ? (body['tools'] as JsonRecord[]).map((t) => [t['type'], t['name']]) : [];
  const key = JSON.stringify([body['model'], body['agent'], inputSteps, body['agent_config'] ?? null, tools, previous?.topic ?? previous?.inputText ?? null]);
  return hash32(key, seed);
}

class Builder {
  readonly entries: ScriptEntry[] = [];
  private nextIndex = 0;

  constructor(readonly rng: Rng) {}

  lifecycle(at: number, type: 'interaction.created' | 'interaction.status_update' | 'interaction.completed', status?: string): void {
    this.entries.push({ at, ev: status === undefined ? { event_type: type } : { event_type: type, status } });
  }

  raw(at: number, ev: WireEvent): void {
    this.entries.push({ at, ev });
  }

  /** Emits step.start, the deltas spread `spacingMs` apart, and step.stop. Returns the end time. */
  step(at: number, shell: WireStep, deltas: JsonRecord[], spacingMs: number): number {
    const index = this.nextIndex++;
    this.entries.push({ at, ev: { event_type: 'step.start', index, step: shell } });
    let t = at;
    for (const delta of deltas) {
      t += spacingMs;
      this.entries.push({ at: t, ev: { event_type: 'step.delta', index, delta } });
    }
    t += spacingMs;
    this.entries.push({ at: t, ev: { event_type: 'step.stop', index } });
    return t;
  }

  thought(at: number, summary: string | undefined, spacingMs: number): number {
    const deltas: JsonRecord[] = [{ type: 'thought_signature', signature: fakeSignature(this.rng) }];
    if (summary) for (const part of chunk(summary, Math.ceil(summary.length / 3))) deltas.push({ type: 'thought_summary', content: { type: 'text', text: part } });
    return this.step(at, { type: 'thought' }, deltas, spacingMs);
  }

  text(at: number, text: string, chunkChars: number, spacingMs: number, extra: JsonRecord[] = []): number {
    const deltas: JsonRecord[] = chunk(text, chunkChars).map((t) => ({ type: 'text', text: t }));
    if (extra.length > 0) deltas.splice(Math.min(1, deltas.length), 0, ...extra);
    return this.step(at, { type: 'model_output' }, deltas, spacingMs);
  }

  unknownStep(at: number): number {
    return this.step(
      at,
      { type: 'emulator_future_step', note: 'a step type this client does not know' },
      [{ type: 'emulator_future_delta', payload: { value: randomToken(this.rng, 8) } }],
      1,
    );
  }

  sort(): ScriptEntry[] {
    // Stable: entries pushed in order, times never decrease within a builder, but make sure.
    return this.entries
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
      .map((x) => x.e);
  }
}

/** Ends a script with the terminal status update and `interaction.completed`. */
function finish(b: Builder, at: number, status: string, error?: { code: string; message: string }): void {
  if (error) b.raw(at, { event_type: 'error', error });
  b.lifecycle(at, 'interaction.status_update', status);
  b.lifecycle(at, 'interaction.completed', status);
}

function rescale(entries: ScriptEntry[], durationMs: number | undefined): ScriptEntry[] {
  if (durationMs === undefined || entries.length === 0) return entries;
  const last = entries[entries.length - 1]!.at || 1;
  return entries.map((e) => ({ at: (e.at * durationMs) / last, ev: e.ev }));
}

export function buildScript(req: ScriptRequest, shape: ScriptShape): Script {
  const rng = createRng(scriptSeed(req.body, req.inputSteps, req.previous, req.seed));
  const script = isDeepResearchAgent(req.body['agent']) ? deepResearchScript(req, shape, rng) : modelTurnScript(req, shape, rng);
  if (!shape.zombie) return script;
  // Keep the announcement only: `interaction.created` and the first status update.
  const head = script.entries.filter((e) => e.ev.event_type === 'interaction.created' || e.ev.event_type === 'interaction.status_update').slice(0, 2);
  return { ...script, entries: head, finalStatus: 'in_progress', zombie: true };
}

function functionArgs(tool: JsonRecord, userText: string, rng: Rng): JsonRecord {
  const params = isRecord(tool['parameters']) ? tool['parameters'] : {};
  const props = isRecord(params['properties']) ? params['properties'] : {};
  const args: JsonRecord = {};
  for (const [name, schema] of Object.entries(props)) {
    const s = isRecord(schema) ? schema : {};
    const type = String(s['type'] ?? 'string').toLowerCase();
    if (Array.isArray(s['enum']) && s['enum'].length > 0) args[name] = s['enum'][0];
    else if (type === 'number' || type === 'integer') args[name] = randInt(rng, 1, 100);
    else if (type === 'boolean') args[name] = true;
    else if (type === 'array') args[name] = [];
    else if (type === 'object') args[name] = {};
    else args[name] = excerpt(userText, 40) || name;
  }
  return args;
}

function modelTurnScript(req: ScriptRequest, shape: ScriptShape, rng: Rng): Script {
  const { body, inputSteps, previous } = req;
  const b = new Builder(rng);
  const kind: RunKind = body['agent'] !== undefined ? 'agent' : 'model';
  const genConfig = isRecord(body['generation_config']) ? body['generation_config'] : {};
  const agentConfig = isRecord(body['agent_config']) ? body['agent_config'] : {};
  const summaries = genConfig['thinking_summaries'] === 'auto' || agentConfig['thinking_summaries'] === 'auto';
  const userText = stepsText(inputSteps);
  const functionTools = (Array.isArray(body['tools']) ? (body['tools'] as JsonRecord[]) : []).filter(
    (t) => isRecord(t) && t['type'] === 'function' && typeof t['name'] === 'string',
  );
  const results = inputSteps.filter((s) => s.type === 'function_result');
  const toolChoice = genConfig['tool_choice'];
  const wantsCall = functionTools.length > 0 && results.length === 0 && toolChoice !== 'none';
  const chunkChars = shape.deltaChars ?? 40;

  b.lifecycle(0, 'interaction.created');
  if (shape.queuedMs) b.lifecycle(0, 'interaction.status_update', 'queued');
  b.lifecycle(shape.queuedMs ?? 0, 'interaction.status_update', 'in_progress');
  let t = 100 + (shape.queuedMs ?? 0);
  if (shape.injectUnknown) {
    b.raw(t, { event_type: 'interaction.emulator_future_event', note: 'an event type this client does not know' });
    t = b.unknownStep(t + 5);
  }
  t = b.thought(t + 50, summaries ? `**Considering the request**\n\nI am working out how to answer "${excerpt(userText, 40)}".` : undefined, 40);

  if (kind === 'agent') {
    const id = `ce_${randomToken(rng, 12)}`;
    t = b.step(
      t + 40,
      { type: 'code_execution_call', id, arguments: {} },
      [{ type: 'code_execution_call', arguments: { language: 'python', code: `print(len(${JSON.stringify(excerpt(userText, 30))}))` } }],
      30,
    );
    t = b.step(t + 40, { type: 'code_execution_result', call_id: id, result: '' }, [{ type: 'code_execution_result', result: String(excerpt(userText, 30).length) }], 30);
  }

  if (wantsCall) {
    const tool = functionTools[Math.floor(rng() * functionTools.length)]!;
    const args = JSON.stringify(functionArgs(tool, userText, rng));
    const parts = chunk(args, Math.max(4, Math.ceil(args.length / 4)));
    t = b.step(
      t + 60,
      { type: 'function_call', id: `call_${randomToken(rng, 16)}`, name: tool['name'], arguments: {} },
      parts.map((p) => ({ type: 'arguments_delta', arguments: p })),
      40,
    );
    finish(b, t + 20, 'requires_action');
    return { kind, entries: rescale(b.sort(), shape.modelTurnDurationMs), finalStatus: 'requires_action' };
  }

  const lines: string[] = [];
  for (const r of results) {
    const name = typeof r['name'] === 'string' ? r['name'] : 'the function';
    lines.push(`The ${name} call (${String(r['call_id'] ?? '')}) returned ${excerpt(JSON.stringify(r['result'] ?? null), 120)}.`);
  }
  if (previous) lines.push(`Continuing our conversation: earlier you said "${excerpt(previous.inputText, 60)}".`);
  if (userText) lines.push(`You asked: "${excerpt(userText, 80)}".`);
  lines.push(paragraph(rng, randInt(rng, 2, 4)));
  const reply = lines.join(' ');
  const extra = shape.injectUnknown ? [{ type: 'emulator_future_delta', payload: { note: 'ignore me' } }] : [];
  t = b.text(t + 60, reply, chunkChars, 50, extra);
  const outcome = shape.outcome ?? 'completed';
  if (outcome === 'failed') finish(b, t + 20, outcome, { code: 'internal', message: 'The model turn failed (emulated).' });
  else finishWith(b, t + 20, outcome, rng);
  return { kind, entries: rescale(b.sort(), shape.modelTurnDurationMs), finalStatus: outcome };
}

function deepResearchScript(req: ScriptRequest, shape: ScriptShape, rng: Rng): Script {
  const { body, inputSteps, previous } = req;
  const b = new Builder(rng);
  const D = shape.deepResearchDurationMs;
  const agentConfig = isRecord(body['agent_config']) ? body['agent_config'] : {};
  const summaries = agentConfig['thinking_summaries'] === 'auto';
  const userText = stepsText(inputSteps);
  // Collaborative planning as Google documents it: chained turns. A turn with the flag true plans
  // (or, chained to a plan, refines it) and ends `completed` with the plan as its output; a turn
  // with the flag false chained to a plan executes it.
  const followsPlan = previous?.kind === 'deep_research_plan';
  const topic = followsPlan ? (previous.topic ?? topicOf(previous.inputText)) : topicOf(userText);

  b.lifecycle(0, 'interaction.created');
  if (shape.queuedMs) {
    b.lifecycle(0, 'interaction.status_update', 'queued');
    b.lifecycle(shape.queuedMs, 'interaction.status_update', 'in_progress');
  } else {
    b.lifecycle(0, 'interaction.status_update', 'in_progress');
  }
  if (shape.injectUnknown) {
    b.raw(D * 0.005, { event_type: 'interaction.emulator_future_event', note: 'an event type this client does not know' });
    b.unknownStep(D * 0.006);
  }

  if (agentConfig['collaborative_planning'] === true) {
    const plan = researchPlan(rng, topic, followsPlan ? userText : undefined);
    let t = b.thought(D * 0.01, summaries ? `**${followsPlan ? 'Revising' : 'Drafting'} a plan**\n\nI am outlining how to research ${topic}.` : undefined, D * 0.002);
    const chunks = chunk(plan, shape.deltaChars ?? 80);
    t = b.text(t + D * 0.002, plan, shape.deltaChars ?? 80, (D * 0.01) / chunks.length);
    finish(b, t + D * 0.001, 'completed');
    return { kind: 'deep_research_plan', entries: b.sort(), finalStatus: 'completed', topic };
  }

  let planText: string | undefined;
  if (followsPlan) planText = !userText.trim() || APPROVAL.test(userText) ? stepsText(previous.steps, ['model_output']) : userText;
  const sections = planSections(planText, rng, topic);
  const rounds = randInt(rng, 3, 5);
  const refs = sources(rng, topic, rounds * 2);
  const span = 0.83 / rounds;
  for (let i = 0; i < rounds; i++) {
    const t0 = D * (0.02 + i * span);
    // Bursty: the whole round (2–3 summaries, its searches) happens in its first 5 %, then silence.
    const gap = shape.burstyThoughts ? (D * span) / 400 : (D * span) / 16;
    const heading = sections[i % sections.length]!;
    let t = b.thought(t0, summaries ? `**${heading}**\n\n${paragraph(rng, 2)}` : undefined, gap / 3);
    if (shape.burstyThoughts && summaries) t = b.thought(t + gap, `**${heading}: first sources**\n\n${paragraph(rng, 1)}`, gap / 3);
    if (shape.newVariants && i === 0) t = newVariantSteps(b, t + gap, gap, topic, rng);
    const gsId = `gs_${randomToken(rng, 12)}`;
    const queries = [`${topic} ${heading}`.slice(0, 120), `${topic} latest data`];
    t = b.step(t + gap, { type: 'google_search_call', id: gsId, arguments: {} }, [{ type: 'google_search_call', arguments: { queries } }], gap / 2);
    t = b.step(
      t + gap,
      { type: 'google_search_result', call_id: gsId, result: [] },
      [{ type: 'google_search_result', result: [{ search_suggestions: `<div class="emulated-search">${queries[0]}</div>` }] }],
      gap / 2,
    );
    if (i % 2 === 0) {
      const ucId = `uc_${randomToken(rng, 12)}`;
      const urls = refs.slice(i * 2, i * 2 + 2).map((r) => r.url);
      t = b.step(t + gap, { type: 'url_context_call', id: ucId, arguments: {} }, [{ type: 'url_context_call', arguments: { urls } }], gap / 2);
      t = b.step(
        t + gap,
        { type: 'url_context_result', call_id: ucId, result: [] },
        [{ type: 'url_context_result', result: urls.map((url) => ({ url, status: 'success' })) }],
        gap / 2,
      );
    }
    if (summaries) b.thought(t + gap, `**Reviewing findings**\n\n${paragraph(rng, 1)}`, gap / 3);
  }

  const outcome = shape.outcome ?? 'completed';
  if (outcome === 'failed') {
    finish(b, D, 'failed', { code: 'internal', message: 'The research run failed (emulated).' });
    return { kind: 'deep_research', entries: b.sort(), finalStatus: 'failed', topic };
  }
  let report = researchReport(rng, topic, sections, refs, shape.reportBytes ?? 6000);
  if (outcome !== 'completed') report = report.slice(0, Math.ceil(report.length / 2));
  const chunks = chunk(report, shape.deltaChars ?? 160);
  const start = D * 0.86;
  const spacing = (D * 0.13) / chunks.length;
  const extra: JsonRecord[] = shape.injectUnknown ? [{ type: 'emulator_future_delta', payload: { note: 'ignore me' } }] : [];
  if (shape.newVariants)
    extra.push({
      type: 'text_annotation_delta',
      annotations: [
        { type: 'speech_metadata', speaker: 'narrator', style: 'calm', start_index: 0, end_index: 40 },
        { type: 'url_citation', url: refs[0]?.url, title: refs[0]?.title, start_index: 0, end_index: 40 },
      ],
    });
  const end = b.text(start, report, shape.deltaChars ?? 160, spacing, extra);
  finishWith(b, Math.max(end, D), outcome, rng);
  return { kind: 'deep_research', entries: b.sort(), finalStatus: outcome, topic };
}

/** Ends a script with `outcome`; the waiting statuses carry what the client needs to go on. */
function finishWith(b: Builder, at: number, outcome: ScriptOutcome, rng: Rng): void {
  if (outcome === 'requires_continuation') {
    // Per-request decode limit: the status update carries the token to continue from.
    const token = `ct_${randomToken(rng, 20)}`;
    b.raw(at, { event_type: 'interaction.status_update', status: outcome, continuation_token: token });
    b.raw(at, { event_type: 'interaction.completed', status: outcome, continuation_token: token });
    return;
  }
  finish(b, at, outcome);
}

/**
 * The newest step variants, in the shapes both 3.6.1 SDKs declare: a `tool_search` round trip
 * (`arguments.function_names`; the result lists function declarations, `type: "function"`) and a
 * code execution whose result is content blocks. A delta's `result` is text only, so that result
 * comes whole in its `step.start`.
 */
function newVariantSteps(b: Builder, at: number, gap: number, topic: string, rng: Rng): number {
  const tsId = `ts_${randomToken(rng, 12)}`;
  const found = {
    type: 'function',
    name: 'fetch_dataset',
    description: `Loads a public dataset about ${topic}`.slice(0, 120),
    parameters: { type: 'object', properties: { name: { type: 'string' } } },
  };
  let t = b.step(at, { type: 'tool_search_call', id: tsId, arguments: {} }, [{ type: 'tool_search_call', arguments: { function_names: ['fetch_dataset'] } }], gap / 2);
  t = b.step(t + gap, { type: 'tool_search_result', call_id: tsId }, [{ type: 'tool_search_result', result: [found] }], gap / 2);
  const ceId = `ce_${randomToken(rng, 12)}`;
  t = b.step(
    t + gap,
    { type: 'code_execution_call', id: ceId, arguments: {} },
    [{ type: 'code_execution_call', arguments: { language: 'python', code: 'print(sum(range(10)))' } }],
    gap / 2,
  );
  t = b.step(t + gap, { type: 'code_execution_result', call_id: ceId, result: [{ type: 'text', text: '45' }] }, [], gap / 2);
  return t;
}

/**
 * Token usage derived from the steps a run produced (about 4 characters per token), with every
 * field of the wire `Usage` (§4.3): the six totals, the four per-modality lists and
 * `grounding_tool_count` per tool type, so accounting code can be checked against all of them.
 * Cached tokens are a fixed quarter of a chained turn's input (the emulator has no real cache).
 */
export function usageFor(inputSteps: readonly WireStep[], steps: readonly WireStep[], systemInstruction: unknown, chained = false): JsonRecord {
  const tok = (s: string) => Math.ceil(s.length / 4);
  const input = (inputSteps.length > 0 ? tok(JSON.stringify(inputSteps)) : 0) + (typeof systemInstruction === 'string' ? tok(systemInstruction) : 0);
  let output = 0;
  let thought = 0;
  let toolUse = 0;
  const grounding: Record<string, number> = {};
  for (const s of steps) {
    if (!s) continue;
    if (s.type === 'model_output') output += tok(stepsText([s], ['model_output']));
    else if (s.type === 'thought') thought += 16 + tok(JSON.stringify(s['summary'] ?? ''));
    else if (s.type === 'function_call') output += tok(JSON.stringify(s['arguments'] ?? {}));
    else if (s.type.endsWith('_result')) toolUse += tok(JSON.stringify(s['result'] ?? ''));
    if (s.type === 'google_search_call') grounding['google_search'] = (grounding['google_search'] ?? 0) + 1;
    else if (s.type === 'google_maps_call') grounding['google_maps'] = (grounding['google_maps'] ?? 0) + 1;
    else if (s.type === 'file_search_call') grounding['retrieval'] = (grounding['retrieval'] ?? 0) + 1;
  }
  const cached = chained ? Math.floor(input / 4) : 0;
  const usage: JsonRecord = {
    total_input_tokens: input,
    total_output_tokens: output,
    total_thought_tokens: thought,
    total_cached_tokens: cached,
    total_tool_use_tokens: toolUse,
    total_tokens: input + output + thought + toolUse,
    input_tokens_by_modality: [{ modality: 'text', tokens: input }],
    output_tokens_by_modality: [{ modality: 'text', tokens: output }],
    cached_tokens_by_modality: [{ modality: 'text', tokens: cached }],
    tool_use_tokens_by_modality: [{ modality: 'text', tokens: toolUse }],
  };
  const counts = Object.entries(grounding).map(([type, count]) => ({ type, count }));
  if (counts.length > 0) usage['grounding_tool_count'] = counts;
  return usage;
}
