/** Shared helpers for the emulator tests: raw HTTP over real sockets and an independent SSE reader. */
import { request } from 'undici';
import type { Emulator } from '../../src/emulator';
import { waitFor } from '../helpers/wait';

export const KEY = { 'x-goog-api-key': 'test-key' };
/** The Gemini API route the SDKs use by default (v1); v1beta serves the same store. */
export const GEMINI = '/v1/interactions';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export async function http(
  emu: Emulator,
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const res = await request(emu.url + path, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.headers ?? KEY) },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.body.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export interface SseFrame {
  event: string;
  data: any;
}

/** Parses SSE text; non-SSE lines (raw JSON) are returned in `raw`. */
export function parseSse(text: string): { frames: SseFrame[]; raw: string[] } {
  const frames: SseFrame[] = [];
  const raw: string[] = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    let event = '';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
      else if (line.trim()) raw.push(line);
    }
    if (data.length > 0) frames.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return { frames, raw };
}

/** Reads a whole SSE response (create with stream:true, or GET ?stream=true). */
export async function sse(
  emu: Emulator,
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; events: any[]; raw: string[]; contentType: string }> {
  const r = await http(emu, method, path, opts);
  const { frames, raw } = parseSse(r.text);
  return { status: r.status, text: r.text, events: frames.map((f) => f.data), raw, contentType: String(r.headers['content-type'] ?? '') };
}

/**
 * An accumulator written independently of the emulator's own fold, from the wire reference:
 * text deltas join per step, thought summaries join, signatures set, arguments_delta strings
 * concatenate and parse at step.stop, server-tool deltas merge their fields.
 */
export function accumulate(events: any[]): any[] {
  const steps: any[] = [];
  const args: Record<number, string> = {};
  for (const ev of events) {
    if (ev.event_type === 'step.start') steps[ev.index] = JSON.parse(JSON.stringify(ev.step));
    else if (ev.event_type === 'step.delta') {
      const s = steps[ev.index];
      const d = ev.delta;
      if (d.type === 'text') {
        s.content ??= [];
        const last = s.content[s.content.length - 1];
        if (last?.type === 'text') last.text += d.text;
        else s.content.push({ type: 'text', text: d.text });
      } else if (d.type === 'thought_summary') {
        s.summary ??= [];
        const last = s.summary[s.summary.length - 1];
        if (last?.type === 'text' && d.content?.type === 'text') last.text += d.content.text;
        else s.summary.push(d.content);
      } else if (d.type === 'thought_signature') s.signature = d.signature;
      else if (d.type === 'arguments_delta') args[ev.index] = (args[ev.index] ?? '') + d.arguments;
      else if (/_(call|result)$/.test(d.type)) {
        const { type: _t, ...rest } = d;
        Object.assign(s, rest);
      }
    } else if (ev.event_type === 'step.stop' && args[ev.index] !== undefined) {
      steps[ev.index].arguments = JSON.parse(args[ev.index]!);
    }
  }
  return steps;
}

/** Polls GET until the interaction reaches one of `statuses`. */
export async function waitForStatus(
  emu: Emulator,
  id: string,
  statuses: string[] = ['completed', 'failed', 'cancelled', 'requires_action'],
  path = GEMINI,
  headers = KEY,
): Promise<any> {
  return waitFor(
    async () => {
      const r = await http(emu, 'GET', `${path}/${id}`, { headers });
      return r.status === 200 && statuses.includes(r.json.status) ? r.json : undefined;
    },
    `interaction ${id} to reach ${statuses.join('|')}`,
    20_000,
    10,
  );
}

export const DR = (input: string, extra: Record<string, unknown> = {}) => ({
  agent: 'deep-research-preview-04-2026',
  input,
  background: true,
  agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
  ...extra,
});

export const MODEL = (input: unknown, extra: Record<string, unknown> = {}) => ({ model: 'gemini-3-flash-preview', input, ...extra });
