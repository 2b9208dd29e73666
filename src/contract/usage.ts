/**
 * Usage accounting: sums every field of the API's `Usage` (§4.3 of the wire notes) over turns,
 * so nothing is under-counted. Numeric fields are added (including ones this version does not
 * know yet); lists of `{modality, tokens}` and `{type, count}` are merged by their key. Pure: the
 * workflow bundles this module.
 */
import type { Usage } from '../interactions/types';

type Entry = Record<string, unknown>;

/** The field of a list entry that names it (`modality` for token lists, `type` for tool counts). */
function entryKey(entry: Entry): string | undefined {
  if (typeof entry['modality'] === 'string') return `modality:${entry['modality']}`;
  if (typeof entry['type'] === 'string') return `type:${entry['type']}`;
  return undefined;
}

function mergeList(into: Entry[], from: unknown[]): void {
  for (const raw of from) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
    const entry = raw as Entry;
    const key = entryKey(entry);
    const found = key === undefined ? undefined : into.find((e) => entryKey(e) === key);
    if (!found) {
      into.push({ ...entry });
      continue;
    }
    for (const [k, v] of Object.entries(entry)) {
      if (typeof v === 'number') found[k] = (typeof found[k] === 'number' ? (found[k] as number) : 0) + v;
    }
  }
}

/** Sums several usages field by field (every numeric field and every keyed list); undefined if none. */
export function sumUsage(usages: ReadonlyArray<Usage | undefined>): Usage | undefined {
  let out: Record<string, unknown> | undefined;
  for (const usage of usages) {
    if (!usage || typeof usage !== 'object') continue;
    out ??= {};
    for (const [key, value] of Object.entries(usage)) {
      if (typeof value === 'number' && Number.isFinite(value)) {
        out[key] = (typeof out[key] === 'number' ? (out[key] as number) : 0) + value;
      } else if (Array.isArray(value)) {
        const list = (Array.isArray(out[key]) ? out[key] : (out[key] = [])) as Entry[];
        mergeList(list, value);
      }
    }
  }
  return out as Usage | undefined;
}

/** Grounding tool calls reported in `grounding_tool_count` (all types). */
export function groundingCalls(usage: Usage | undefined): number {
  let n = 0;
  for (const entry of usage?.grounding_tool_count ?? []) if (typeof entry?.count === 'number') n += entry.count;
  return n;
}

/** `total_tokens`, or the sum of its parts when the server left it out. */
export function totalTokens(usage: Usage | undefined): number {
  if (!usage) return 0;
  if (typeof usage.total_tokens === 'number') return usage.total_tokens;
  const parts = [usage.total_input_tokens, usage.total_output_tokens, usage.total_thought_tokens, usage.total_tool_use_tokens];
  return parts.reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
}
