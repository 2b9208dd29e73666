/**
 * Folds step events into steps. The emulator builds every GET response with this fold over the
 * events it has emitted, so "accumulate the stream" and "GET the interaction" agree by
 * construction. The fold rules (the same a client accumulator should apply):
 * - `step.start` sets `steps[index]` to a copy of the step shell;
 * - `text` deltas append to the step's last `text` content item (or start one);
 * - `thought_summary` deltas append their text to the last summary text item (or start one);
 * - `thought_signature` sets `signature`;
 * - `text_annotation_delta` adds its annotations to the step's last `text` item (or starts one);
 * - `arguments_delta` strings are concatenated and `JSON.parse`d into `arguments` at `step.stop`;
 * - server-tool deltas (`*_call`, `*_result`) copy their fields onto the step;
 * - other delta types are unknown and ignored (passed through by clients, never folded).
 */
import type { WireEvent, WireStep } from './wire';

export class StepFold {
  readonly steps: WireStep[] = [];
  private readonly args = new Map<number, string>();

  apply(ev: WireEvent): void {
    switch (ev.event_type) {
      case 'step.start': {
        const index = ev['index'] as number;
        this.steps[index] = structuredClone(ev['step'] as WireStep);
        return;
      }
      case 'step.delta': {
        const step = this.steps[ev['index'] as number];
        if (step) this.applyDelta(ev['index'] as number, step, ev['delta'] as Record<string, unknown>);
        return;
      }
      case 'step.stop': {
        const index = ev['index'] as number;
        const buf = this.args.get(index);
        const step = this.steps[index];
        if (buf !== undefined && step) {
          this.args.delete(index);
          try {
            step['arguments'] = JSON.parse(buf);
          } catch {
            step['arguments'] = {};
          }
        }
        return;
      }
      default:
        return;
    }
  }

  private applyDelta(index: number, step: WireStep, delta: Record<string, unknown>): void {
    const type = delta['type'] as string;
    switch (type) {
      case 'text': {
        const content = ((step['content'] as Array<Record<string, unknown>>) ??= []);
        const last = content[content.length - 1];
        if (last && last['type'] === 'text') last['text'] = String(last['text'] ?? '') + String(delta['text'] ?? '');
        else content.push({ type: 'text', text: String(delta['text'] ?? '') });
        return;
      }
      case 'thought_summary': {
        const summary = ((step['summary'] as Array<Record<string, unknown>>) ??= []);
        const item = (delta['content'] ?? {}) as Record<string, unknown>;
        const last = summary[summary.length - 1];
        if (item['type'] === 'text' && last && last['type'] === 'text') {
          last['text'] = String(last['text'] ?? '') + String(item['text'] ?? '');
        } else {
          summary.push(structuredClone(item));
        }
        return;
      }
      case 'thought_signature':
        step['signature'] = delta['signature'];
        return;
      case 'text_annotation_delta': {
        const content = ((step['content'] as Array<Record<string, unknown>>) ??= []);
        let last = content[content.length - 1];
        if (!last || last['type'] !== 'text') content.push((last = { type: 'text', text: '' }));
        const anns = ((last['annotations'] as unknown[]) ??= []);
        anns.push(...structuredClone((delta['annotations'] as unknown[] | undefined) ?? []));
        return;
      }
      case 'arguments_delta':
        this.args.set(index, (this.args.get(index) ?? '') + String(delta['arguments'] ?? ''));
        return;
      default:
        if (type.endsWith('_call') || type.endsWith('_result')) {
          for (const [k, v] of Object.entries(delta)) if (k !== 'type') step[k] = structuredClone(v);
        }
        return;
    }
  }
}

/** The concatenated text of all `model_output` steps (the report of a Deep Research run). */
export function modelOutputText(steps: readonly WireStep[]): string {
  let out = '';
  for (const step of steps) {
    if (step?.type !== 'model_output') continue;
    for (const c of (step['content'] as Array<Record<string, unknown>> | undefined) ?? []) {
      if (c['type'] === 'text') out += String(c['text'] ?? '');
    }
  }
  return out;
}
