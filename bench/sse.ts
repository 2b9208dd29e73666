/**
 * SSE throughput benchmark (prints figures; no assertions).
 *
 * Generates Deep Research-style transcripts (≥ 50 MB by default: thought summaries, google_search
 * call/result steps with search_suggestions, report text deltas with citations, status updates,
 * some events without event_id) in two shapes, `standard` (long deltas) and `dense` (short ones,
 * 2.6 times the events for the same bytes), serves each over loopback HTTP, and times, in one
 * process, rounds that interleave (so a busy machine slows every reader alike; best of the rounds):
 *   (a) our client: `client.get(id, { stream: true })` → typed events
 *   (b) @google/genai `ai.interactions.get(id, { stream: true })`
 *   (c) eventsource-parser + JSON.parse
 *   (d) the floor: read the body, split on blank lines, JSON.parse each payload
 *
 * Run: `npm run build && npm run bench:sse` (env BENCH_MB=50, BENCH_RUNS=5,
 * BENCH_SHAPES=standard,dense; BENCH_COMPARE_CLIENT=<another build's dist/src/interactions/client.js>
 * adds that client as reader (a0), e.g. the previous release, timed in the same rounds).
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createParser } from 'eventsource-parser';
import { InteractionsClient } from '../src/interactions/client';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The installed @google/genai's version, printed beside its figures (its package.json is not exported). */
function googleVersion(): string {
  for (let dir = dirname(require.resolve('@google/genai')); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@google/genai') return pkg.version ?? '?';
    } catch {
      // not here: one level up
    }
  }
  return '?';
}
const GOOGLE_VERSION = googleVersion();

const TARGET_MB = Number(process.env.BENCH_MB ?? 50);
/** BENCH_ASCII=1 drops the non-ASCII words (real English reports are mostly ASCII). */
const ASCII_ONLY = process.env.BENCH_ASCII === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SHAPE_LIST = (process.env.BENCH_SHAPES ?? 'standard,dense').split(',') as TranscriptShape[];
const ID = 'v1_benchDeepResearch';

function words(n: number, seed: number): string {
  const vocab = [
    'the',
    'protein',
    'folding',
    'analysis',
    'suggests',
    'that',
    'recent',
    'studies',
    'in',
    'oncology',
    'have',
    'shown',
    'remarkable',
    'progress',
    'toward',
    'targeted',
    'therapies',
    'café',
    'naïve',
    '—',
    'résumé',
    'and',
    'clinical',
    'trials',
    'data',
  ];
  let s = '';
  for (let i = 0; i < n; i++) {
    const w = vocab[(seed * 31 + i * 7) % vocab.length]!;
    s += (i ? ' ' : '') + (ASCII_ONLY ? w.replace(/[^\x00-\x7f]/g, 'e') : w);
  }
  return s;
}

/**
 * The shape of a transcript: `standard` (long report deltas, about 2 KB a event) or `dense`
 * (short deltas and small search results, about 180 bytes a event, as a model streams token by
 * token): the same bytes as 2.6 times as many events, so per-event costs weigh more.
 */
export type TranscriptShape = 'standard' | 'dense';

const SHAPES = {
  standard: { thoughtWords: 40, reportWords: 120, chips: 12 },
  dense: { thoughtWords: 3, reportWords: 7, chips: 1 },
} as const;

/** Build the transcript; returns the SSE text and its event count. */
function transcript(targetBytes: number, shape: TranscriptShape = 'standard'): { text: string; events: number } {
  const { thoughtWords, reportWords, chips } = SHAPES[shape];
  const parts: string[] = [];
  let size = 0;
  let n = 0;
  const emit = (e: Record<string, unknown>) => {
    // ~1 in 6 events carries no event_id, as seen on the wire.
    if (n % 6 !== 5) e.event_id = `evt_${n.toString(36).padStart(6, '0')}`;
    const s = `event: ${String(e.event_type)}\ndata: ${JSON.stringify(e)}\n\n`;
    parts.push(s);
    size += s.length;
    n++;
  };
  emit({ event_type: 'interaction.created', interaction: { id: ID, status: 'in_progress', object: 'interaction', agent: 'deep-research-preview-04-2026' } });
  emit({ event_type: 'interaction.status_update', interaction_id: ID, status: 'in_progress' });
  let index = 0;
  let round = 0;
  const reportBudget = targetBytes * 0.35;
  while (size < targetBytes - reportBudget) {
    round++;
    emit({ event_type: 'step.start', index, step: { type: 'thought' } });
    for (let k = 0; k < 6; k++) {
      emit({ event_type: 'step.delta', index, delta: { type: 'thought_summary', content: { type: 'text', text: words(thoughtWords, round + k) + '. ' } } });
    }
    emit({ event_type: 'step.delta', index, delta: { type: 'thought_signature', signature: Buffer.from(words(30, round)).toString('base64') } });
    emit({ event_type: 'step.stop', index });
    index++;
    const callId = `search_${round}`;
    emit({ event_type: 'step.start', index, step: { type: 'google_search_call', id: callId, arguments: {} } });
    emit({ event_type: 'step.delta', index, delta: { type: 'google_search_call', arguments: { queries: [words(6, round), words(5, round + 1)] } } });
    emit({ event_type: 'step.stop', index });
    index++;
    emit({ event_type: 'step.start', index, step: { type: 'google_search_result', call_id: callId, result: [] } });
    emit({
      event_type: 'step.delta',
      index,
      delta: {
        type: 'google_search_result',
        result: [{ search_suggestions: `<div class="chips">${'<a href="https://www.google.com/search?q=x">' + words(8, round) + '</a>'.repeat(1)}`.repeat(chips) + '</div>' }],
      },
    });
    emit({ event_type: 'step.stop', index, usage: { total_input_tokens: 1000 + round, total_output_tokens: 50 * round, total_tokens: 1000 + 51 * round } });
    index++;
    if (round % 5 === 0) emit({ event_type: 'interaction.status_update', interaction_id: ID, status: 'in_progress' });
  }
  emit({ event_type: 'step.start', index, step: { type: 'model_output' } });
  let d = 0;
  while (size < targetBytes) {
    d++;
    emit({ event_type: 'step.delta', index, delta: { type: 'text', text: words(reportWords, d) + (d % 10 === 0 ? '\n\n## Section ' + d + '\n\n' : ' ') } });
    if (d % 25 === 0) {
      emit({
        event_type: 'step.delta',
        index,
        delta: {
          type: 'text_annotation_delta',
          annotations: [{ type: 'url_citation', url: `https://example.org/paper/${d}`, title: words(6, d), start_index: d * 100, end_index: d * 100 + 50 }],
        },
      });
    }
  }
  emit({ event_type: 'step.stop', index });
  emit({ event_type: 'interaction.status_update', interaction_id: ID, status: 'completed' });
  emit({
    event_type: 'interaction.completed',
    interaction: { id: ID, status: 'completed', object: 'interaction', agent: 'deep-research-preview-04-2026', usage: { total_tokens: 123456 } },
  });
  return { text: parts.join(''), events: n };
}

async function serve(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const CHUNK = 64 * 1024;
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let off = 0;
    const pump = () => {
      while (off < body.length) {
        const ok = res.write(body.subarray(off, off + CHUNK));
        off += CHUNK;
        if (!ok) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

type Runner = () => Promise<number>;

type ClientClass = typeof InteractionsClient;

async function ours(url: string, Client: ClientClass = InteractionsClient): Promise<number> {
  const client = new Client({ apiKey: 'bench-key', baseUrl: url });
  let n = 0;
  for await (const e of client.get(ID, { stream: true })) {
    if (e.event_type) n++;
  }
  await client.close();
  return n;
}

async function google(url: string): Promise<number> {
  // @google/genai's typings are ESM-only for CommonJS callers; its runtime has a CJS build too.
  const { GoogleGenAI } = await import('@google/genai');
  const ai = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: url } });
  const stream = await ai.interactions.get(ID, { stream: true });
  let n = 0;
  for await (const e of stream) {
    if ((e as { event_type?: string }).event_type) n++;
  }
  return n;
}

async function esParser(url: string): Promise<number> {
  const res = await request(`${url}/v1beta/interactions/${ID}?stream=true`);
  let n = 0;
  const parser = createParser({
    onEvent(ev) {
      const v = JSON.parse(ev.data) as { event_type?: string };
      if (v.event_type) n++;
    },
  });
  const dec = new TextDecoder();
  for await (const chunk of res.body) parser.feed(dec.decode(chunk as Uint8Array, { stream: true }));
  return n;
}

async function floor(url: string): Promise<number> {
  const res = await request(`${url}/v1beta/interactions/${ID}?stream=true`);
  let n = 0;
  let buf = '';
  const dec = new TextDecoder();
  for await (const chunk of res.body) {
    buf += dec.decode(chunk as Uint8Array, { stream: true });
    const parts = buf.split('\n\n');
    buf = parts.pop()!;
    for (const p of parts) {
      const at = p.indexOf('data: ');
      if (at !== -1) {
        const v = JSON.parse(p.slice(at + 6)) as { event_type?: string };
        if (v.event_type) n++;
      }
    }
  }
  return n;
}

interface Reader {
  name: string;
  run: Runner;
  times: number[];
}

/** Rounds of every reader in turn; each reader's best round (ms). */
async function timeInterleaved(readers: Reader[], expected: number): Promise<void> {
  for (let i = 0; i < RUNS; i++) {
    for (const r of readers) {
      const t0 = performance.now();
      const n = await r.run();
      const ms = performance.now() - t0;
      if (n !== expected) throw new Error(`${r.name}: ${n} events, expected ${expected}`);
      r.times.push(ms);
    }
  }
}

const best = (r: Reader): number => Math.min(...r.times);

function line(r: Reader, events: number, bytes: number): string {
  const ms = best(r);
  const evps = Math.round(events / (ms / 1000)).toLocaleString('en-US');
  return `${r.name.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  ${evps.padStart(12)} events/s  ${(bytes / 1e6 / (ms / 1000)).toFixed(1).padStart(7)} MB/s`;
}

async function benchShape(shape: TranscriptShape): Promise<void> {
  const t = transcript(TARGET_MB * 1e6, shape);
  const body = Buffer.from(t.text, 'utf8');
  console.log(`${shape} transcript: ${(body.length / 1e6).toFixed(1)} MB${ASCII_ONLY ? ' (ASCII only)' : ''}, ${t.events.toLocaleString('en-US')} events`);
  const srv = await serve(body);
  try {
    const compare = process.env.BENCH_COMPARE_CLIENT;
    const readers: Reader[] = [
      { name: '(a) gemini-jobs InteractionStream', run: () => ours(srv.url), times: [] },
      { name: `(b) @google/genai ${GOOGLE_VERSION} interactions`, run: () => google(srv.url), times: [] },
      { name: '(c) eventsource-parser + JSON', run: () => esParser(srv.url), times: [] },
      { name: '(d) floor: split + JSON.parse', run: () => floor(srv.url), times: [] },
    ];
    if (compare) {
      const Other = ((await import(compare)) as { InteractionsClient: ClientClass }).InteractionsClient;
      readers.push({ name: '(a0) compared client', run: () => ours(srv.url, Other), times: [] });
    }
    // Warm up every path once (JIT, connection setup).
    for (const r of readers) await r.run();
    await timeInterleaved(readers, t.events);
    const [a, b, c, d, a0] = readers as [Reader, Reader, Reader, Reader, Reader | undefined];
    for (const r of readers) console.log(line(r, t.events, body.length));
    if (a0) console.log(`compared client:      ${(best(a0) / best(d)).toFixed(3)}x the floor's time`);
    console.log(`ours vs floor:        ${(best(a) / best(d)).toFixed(3)}x the floor's time (target ≤ 1.05x)`);
    console.log(`ours vs Google SDK:   ${(best(b) / best(a)).toFixed(2)}x faster`);
    console.log(`eventsource-parser:   ${(best(c) / best(d)).toFixed(3)}x the floor's time`);
    console.log('');
  } finally {
    await srv.close();
  }
}

/** Export for profiling: the transcript alone. */
export { transcript };

async function main(): Promise<void> {
  console.log(`best of ${RUNS} interleaved rounds, node ${process.version}`);
  for (const shape of SHAPE_LIST) await benchShape(shape);
}

if (require.main === module)
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
