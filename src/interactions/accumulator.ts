/**
 * Folds stream events into the final `Interaction`, so that a streamed result equals the resource
 * a GET returns for the same interaction.
 *
 * - `interaction.created` / `interaction.completed` carry the resource fields (id, status, model…);
 *   `completed` wins, and its `steps` are used when the server sends them.
 * - `step.start` places the step shell at `index`; deltas fill it: `text` appends to the last text
 *   block of a `model_output`, `thought_summary` to the thought's summary, `thought_signature`
 *   sets `signature`, `text_annotation_delta` adds annotations, media deltas add a block,
 *   `arguments_delta` fragments are joined and JSON-parsed into `arguments` at `step.stop`, and a
 *   delta of the step's own type (tool calls and results) merges its fields into the step.
 * - Usage (cumulative) is taken from the latest of `status_update.usage`, `step.stop.usage`,
 *   `metadata.total_usage` and `interaction.completed`'s `interaction.usage`.
 */

import { isContent, isStep } from './types';
import type {
  Annotation,
  Content,
  Delta,
  Interaction,
  InteractionEvent,
  InteractionStatusUpdateEvent,
  Step,
  StepDeltaEvent,
  StepStartEvent,
  StepStopEvent,
  TextContent,
  Usage,
} from './types';

type MutableStep = Step & Record<string, unknown>;

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export class InteractionAccumulator {
  private base: Partial<Interaction> = {};
  private steps: MutableStep[] = [];
  private completedSteps: Step[] | undefined;
  private args = new Map<number, string>();
  private usage: Usage | undefined;
  private status: string | undefined;
  /** Problems met while folding (e.g. unparsable function arguments); never thrown. */
  readonly warnings: string[] = [];
  /** The last `error` event seen, if any. */
  lastError: { code?: string | number; message?: string; status?: string } | undefined;

  /** Fold one event. */
  apply(event: InteractionEvent): this {
    switch (event.event_type) {
      case 'interaction.created':
      case 'interaction.completed': {
        const { steps, usage, ...rest } = (event as { interaction: Interaction }).interaction ?? ({} as Interaction);
        Object.assign(this.base, clone(rest));
        if (typeof rest.status === 'string') this.status = rest.status;
        if (usage) this.usage = clone(usage);
        if (event.event_type === 'interaction.completed' && Array.isArray(steps) && steps.length > 0) {
          this.completedSteps = clone(steps);
        } else if (event.event_type === 'interaction.created' && Array.isArray(steps) && steps.length > 0 && this.steps.length === 0) {
          this.steps = clone(steps) as MutableStep[];
        }
        break;
      }
      case 'interaction.status_update': {
        const e = event as InteractionStatusUpdateEvent;
        if (typeof e.status === 'string') this.status = e.status;
        if (e.interaction_id && !this.base.id) this.base.id = e.interaction_id;
        if (e.usage) this.usage = clone(e.usage);
        if (typeof e.continuation_token === 'string') this.base.continuation_token = e.continuation_token;
        break;
      }
      case 'step.start': {
        const e = event as StepStartEvent;
        this.steps[e.index] = clone(e.step) as MutableStep;
        this.args.delete(e.index);
        break;
      }
      case 'step.delta':
        this.applyDelta(event as StepDeltaEvent);
        break;
      case 'step.stop': {
        const e = event as StepStopEvent;
        this.finishArguments(e.index);
        if (e.usage) this.usage = clone(e.usage);
        break;
      }
      case 'error': {
        const err = (event as { error?: { code?: string | number; message?: string; status?: string } }).error;
        this.lastError = err ? { ...err } : {};
        break;
      }
      default:
        break;
    }
    const total = (event as { metadata?: { total_usage?: Usage } }).metadata?.total_usage;
    if (total) this.usage = clone(total);
    return this;
  }

  private stepAt(index: number, fallbackType: string): MutableStep {
    let step = this.steps[index];
    if (!step) {
      // A delta without its step.start (e.g. a resumed stream): open a step of the implied type.
      step = (fallbackType === 'thought' ? { type: 'thought' } : { type: fallbackType }) as MutableStep;
      if (fallbackType === 'model_output') step.content = [];
      this.steps[index] = step;
    }
    return step;
  }

  private applyDelta(e: StepDeltaEvent): void {
    const d = e.delta as Delta & Record<string, unknown>;
    if (!d || typeof d.type !== 'string') return;
    switch (d.type) {
      case 'text': {
        const step = this.stepAt(e.index, 'model_output');
        const content = ((step.content as Content[] | undefined) ??= []);
        const last = content[content.length - 1];
        if (last && isContent(last, 'text')) last.text = (last.text ?? '') + String(d.text ?? '');
        else content.push({ type: 'text', text: String(d.text ?? '') });
        return;
      }
      case 'image':
      case 'audio':
      case 'document':
      case 'video': {
        const step = this.stepAt(e.index, 'model_output');
        const content = ((step.content as Content[] | undefined) ??= []);
        const { rate, ...block } = d as Record<string, unknown>;
        if (rate !== undefined && block.sample_rate === undefined) block.sample_rate = rate;
        content.push(clone(block) as Content);
        return;
      }
      case 'text_annotation_delta': {
        const step = this.stepAt(e.index, 'model_output');
        const content = ((step.content as Content[] | undefined) ??= []);
        let last = content[content.length - 1];
        if (!last || !isContent(last, 'text')) {
          last = { type: 'text', text: '' };
          content.push(last);
        }
        const t = last as TextContent;
        const anns = (d.annotations as Annotation[] | undefined) ?? [];
        (t.annotations ??= []).push(...clone(anns));
        return;
      }
      case 'thought_summary': {
        const step = this.stepAt(e.index, 'thought');
        const summary = ((step.summary as Content[] | undefined) ??= []);
        const c = d.content as Content | undefined;
        if (!c) return;
        const last = summary[summary.length - 1];
        if (isContent(c, 'text') && last && isContent(last, 'text') && !c.annotations) last.text = (last.text ?? '') + c.text;
        else summary.push(clone(c));
        return;
      }
      case 'thought_signature': {
        const step = this.stepAt(e.index, 'thought');
        if (typeof d.signature === 'string') step.signature = d.signature;
        return;
      }
      case 'arguments_delta': {
        const piece = typeof d.arguments === 'string' ? d.arguments : typeof d.partial_arguments === 'string' ? d.partial_arguments : '';
        this.stepAt(e.index, 'function_call');
        this.args.set(e.index, (this.args.get(e.index) ?? '') + piece);
        return;
      }
      default: {
        const step = this.stepAt(e.index, d.type);
        if (step.type === d.type) {
          // A tool call/result delta for its own step: merge fields; result arrays concatenate.
          for (const k of Object.keys(d)) {
            if (k === 'type') continue;
            const v = clone(d[k]);
            const prev = step[k];
            step[k] = k === 'result' && Array.isArray(prev) && Array.isArray(v) ? [...prev, ...v] : v;
          }
        } else if (isStep(step, 'function_call') && d.type === 'function_result') {
          this.warnings.push(`function_result delta on function_call step ${e.index}`);
        } else if (isStep(step, 'model_output')) {
          // Unknown content-like delta in a model turn: keep its raw JSON as a content block.
          (step.content ??= []).push(clone(d) as Content);
        } else {
          this.warnings.push(`delta ${d.type} ignored on ${step.type} step ${e.index}`);
        }
      }
    }
  }

  private finishArguments(index: number): void {
    const raw = this.args.get(index);
    if (raw === undefined) return;
    this.args.delete(index);
    const step = this.steps[index];
    if (!step) return;
    if (raw.trim() === '') return;
    try {
      step.arguments = JSON.parse(raw);
    } catch {
      this.warnings.push(`step ${index}: arguments are not valid JSON (${raw.length} chars)`);
      step.arguments_raw = raw;
    }
  }

  /** The interaction id, once known. */
  get interactionId(): string | undefined {
    return this.base.id;
  }

  /** The latest status seen. */
  get currentStatus(): string | undefined {
    return this.status;
  }

  /** The interaction folded so far (a fresh deep copy). */
  snapshot(): Interaction {
    for (const i of [...this.args.keys()]) this.finishArguments(i);
    const out: Interaction = { ...(clone(this.base) as Interaction) };
    if (this.status !== undefined) out.status = this.status;
    out.steps = this.completedSteps ? clone(this.completedSteps) : clone(this.steps.filter((s) => s !== undefined));
    if (this.usage) out.usage = clone(this.usage);
    return out;
  }
}

/** Fold a whole event sequence into an Interaction. */
export async function accumulate(events: AsyncIterable<InteractionEvent> | Iterable<InteractionEvent>): Promise<Interaction> {
  const acc = new InteractionAccumulator();
  for await (const e of events as AsyncIterable<InteractionEvent>) acc.apply(e);
  return acc.snapshot();
}

/**
 * The markdown report of an interaction: the text of its trailing `model_output` steps (after the
 * last `user_input`, skipping `thought` steps between them), paragraphs joined by a blank line.
 */
export function reportText(interaction: Pick<Interaction, 'steps'>): string {
  const steps = interaction.steps ?? [];
  const parts: string[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (isStep(s, 'model_output')) {
      const text = (s.content ?? [])
        .filter((c): c is TextContent => isContent(c, 'text'))
        .map((c) => c.text)
        .join('');
      if (text) parts.push(text);
      continue;
    }
    if (isStep(s, 'thought')) continue;
    if (parts.length > 0 || isStep(s, 'user_input')) break;
  }
  return parts.reverse().join('\n\n');
}
