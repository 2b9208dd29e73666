/**
 * The one boundary where legacy wire shapes become the current "steps" shape.
 *
 * Vertex still answers some models (e.g. Lyria) in the pre-June-2026 schema: `outputs: Content[]`
 * on the resource, and `interaction.start`, `content.start/delta/stop`, `interaction.complete`
 * events. Everything past this module sees only steps. Current-shape input is returned unchanged
 * (same object), so the hot path costs one switch.
 *
 * Legacy content blocks map to steps one-to-one, so a streamed legacy result and a fetched one
 * agree: media/text blocks become a `model_output` step holding that block, `thought` becomes a
 * `thought` step, and tool blocks (`function_call`, `google_search_result`, …) become the step of
 * the same name.
 */

import type { Interaction, InteractionEvent, Step } from './types';

const MEDIA_TYPES = new Set(['text', 'image', 'audio', 'document', 'video']);

/** Convert one legacy content block to the equivalent step. */
export function legacyContentToStep(content: unknown): Step {
  if (content === null || typeof content !== 'object') return { type: 'model_output', content: [] };
  const c = content as { type?: unknown; [k: string]: unknown };
  const type = typeof c.type === 'string' ? c.type : '';
  if (MEDIA_TYPES.has(type)) {
    // An empty shell (`{"type":"text"}` at content.start) means "text follows as deltas".
    const isShell = type === 'text' && (c.text === undefined || c.text === '') && c.annotations === undefined;
    return { type: 'model_output', content: isShell ? [] : [c as Step & { type: string }] } as Step;
  }
  if (type === 'thought') {
    const { type: _t, ...rest } = c;
    return { type: 'thought', ...rest } as Step;
  }
  if (type === '') return { type: 'model_output', content: [] };
  return { ...c, type } as Step;
}

/** Normalise an `Interaction` resource: `outputs` → `steps`. Returns the input when already current. */
export function normalizeInteraction<T extends Interaction>(interaction: T): T {
  if (interaction === null || typeof interaction !== 'object') return interaction;
  const outputs = (interaction as { outputs?: unknown }).outputs;
  if (outputs === undefined) return interaction;
  const { outputs: _o, ...rest } = interaction as T & { outputs?: unknown };
  const out = rest as T;
  if (out.steps === undefined && Array.isArray(outputs)) out.steps = outputs.map(legacyContentToStep);
  return out;
}

/** Normalise one event to the steps schema. Returns the input when already current. */
export function normalizeEvent(event: InteractionEvent): InteractionEvent {
  const e = event as InteractionEvent & Record<string, unknown>;
  switch (e.event_type) {
    case 'step.delta':
    case 'step.start':
    case 'step.stop':
    case 'interaction.status_update':
    case 'error':
      return event;
    case 'interaction.created':
    case 'interaction.completed':
      return e.interaction && (e.interaction as { outputs?: unknown }).outputs !== undefined ? { ...e, interaction: normalizeInteraction(e.interaction as Interaction) } : event;
    case 'interaction.start':
      return { ...e, event_type: 'interaction.created', interaction: normalizeInteraction((e.interaction ?? {}) as Interaction) };
    case 'interaction.complete':
      return { ...e, event_type: 'interaction.completed', interaction: normalizeInteraction((e.interaction ?? {}) as Interaction) };
    case 'content.start': {
      const { content, ...rest } = e;
      return { ...rest, event_type: 'step.start', step: legacyContentToStep(content) } as InteractionEvent;
    }
    case 'content.delta':
      return { ...e, event_type: 'step.delta' } as InteractionEvent;
    case 'content.stop':
      return { ...e, event_type: 'step.stop' } as InteractionEvent;
    default:
      return event;
  }
}
