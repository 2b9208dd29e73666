/**
 * The bare-stream floor: a Node process that does only what following a stream cannot avoid.
 * It loads undici, prints `{"ready":true}` (the parent reads its idle RSS), reads one JSON line
 * on stdin (`{ url, apiKey, ids }`), then holds one SSE stream per interaction id against the
 * emulator, reading every body chunk, splitting it into events and `JSON.parse`-ing each one,
 * until each stream ends. Prints `{"done":true,"events":N,"streams":M}`.
 */
import { Agent, request } from 'undici';

interface FloorConfig {
  url: string;
  apiKey: string;
  ids: string[];
}

async function follow(dispatcher: Agent, cfg: FloorConfig, id: string): Promise<number> {
  const res = await request(`${cfg.url}/v1/interactions/${id}?stream=true`, {
    dispatcher,
    headers: { 'x-goog-api-key': cfg.apiKey, accept: 'text/event-stream' },
    bodyTimeout: 0,
    headersTimeout: 0,
  });
  let events = 0;
  let buf = '';
  const dec = new TextDecoder();
  for await (const chunk of res.body) {
    buf += dec.decode(chunk as Uint8Array, { stream: true });
    const parts = buf.split('\n\n');
    buf = parts.pop()!;
    for (const part of parts) {
      const at = part.indexOf('data: ');
      if (at === -1) continue;
      const event = JSON.parse(part.slice(at + 6)) as { event_type?: string };
      if (event.event_type) events++;
    }
  }
  return events;
}

/** The first line on stdin. */
function firstLine(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('utf8');
      const end = text.indexOf('\n');
      if (end === -1) return;
      process.stdin.off('data', onData);
      process.stdin.pause();
      resolve(text.slice(0, end));
    };
    process.stdin.on('data', onData);
  });
}

async function main(): Promise<void> {
  // One keep-alive pool with no socket cap, as the worker's client has.
  const dispatcher = new Agent({ connections: null, bodyTimeout: 0, headersTimeout: 0 });
  process.stdout.write(JSON.stringify({ ready: true, pid: process.pid }) + '\n');
  const cfg = JSON.parse(await firstLine()) as FloorConfig;
  const counts = await Promise.all(cfg.ids.map((id) => follow(dispatcher, cfg, id)));
  await dispatcher.close();
  process.stdout.write(JSON.stringify({ done: true, events: counts.reduce((a, b) => a + b, 0), streams: counts.length }) + '\n');
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`stream floor failed: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
