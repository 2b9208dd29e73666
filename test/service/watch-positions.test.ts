/**
 * The watch position scheme without a server: a scripted job (live snapshots, then a settled
 * turn) and resumes from every position a client could have received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DONE_OFFSET, OUTPUT_BASE, TURN_SPAN, chunkText, decodeSeq, turnStartPosition, watchEvents } from '../../src/jobs/watch';
import type { JobEvent, JobSnapshot, WatchSource } from '../../src/jobs/watch';
import type { JobState, TurnRecord } from '../../workflows/definitions';
import { ProgressRenderer } from '../../src/view/render';

const REPORT = '# Report\n\n' + 'Heat pumps move heat 🔥 rather than making it. '.repeat(40);

function scriptedSource(liveReads: number, turns = 1): WatchSource & { reads: number } {
  const startedAt = new Date(Date.now() - 5_000).toISOString();
  const record = (turn: number, status: TurnRecord['status']): TurnRecord => ({
    turn,
    status,
    startedAt,
    interactionId: `i${turn}`,
    ...(status === 'completed' ? { report: { store: 'mem', key: `k${turn}`, bytes: 0, sha256: '' } } : {}),
  });
  const source = {
    reads: 0,
    async read(): Promise<JobSnapshot> {
      const n = source.reads++;
      const running = n < liveReads;
      const last = turns;
      const history = Array.from({ length: last - 1 }, (_, i) => record(i + 1, 'completed'));
      const state: JobState = {
        jobId: 'j',
        phase: running ? 'streaming' : 'done',
        status: running ? 'running' : 'completed',
        turn: last,
        turns: [...history, record(last, running ? 'running' : 'completed')],
        startedAt,
        turnStartedAt: startedAt,
        elapsedMs: 5_000,
        progress: { eventsApplied: n * 3, outputChars: n * 100, latestThought: `thinking ${Math.floor(n / 2)}` },
      };
      return { state, closed: !running };
    },
    async report(turn: TurnRecord) {
      return turn.report ? `${turn.turn}:${REPORT}` : undefined;
    },
  };
  return source;
}

async function collect(source: WatchSource, from?: number, chunkChars = 50): Promise<JobEvent[]> {
  const out: JobEvent[] = [];
  for await (const e of watchEvents(source, { ...(from !== undefined ? { from } : {}), pollIntervalMs: 1, chunkChars })) out.push(e);
  return out;
}

test('positions: live events, then output at char offsets, then turn-completed and done', async () => {
  const events = await collect(scriptedSource(4));
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'phase');
  assert.ok(types.includes('progress') && types.includes('thought'));
  assert.deepEqual(types.slice(-2), ['turn-completed', 'done']);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.seq > events[i - 1]!.seq);
  const outputs = events.filter((e) => e.type === 'output');
  assert.equal(outputs.map((e) => (e as { text: string }).text).join(''), `1:${REPORT}`);
  for (const o of outputs) assert.equal(decodeSeq(o.seq).part, 'output');
  assert.equal(events.at(-1)!.seq, TURN_SPAN + DONE_OFFSET);
  assert.equal(decodeSeq(TURN_SPAN + OUTPUT_BASE + 7).offset, 7);
});

test('resuming from any received position never repeats or skips report text', async () => {
  const full = await collect(scriptedSource(3));
  const text = `1:${REPORT}`;
  for (const cut of full) {
    const rest = await collect(scriptedSource(0), cut.seq, 37);
    assert.ok(
      rest.every((e) => e.seq > cut.seq),
      `all after ${cut.type} ${cut.seq}`,
    );
    const before = full
      .filter((e) => e.seq <= cut.seq && e.type === 'output')
      .map((e) => (e as { text: string }).text)
      .join('');
    const after = rest
      .filter((e) => e.type === 'output')
      .map((e) => (e as { text: string }).text)
      .join('');
    assert.equal(before + after, text, `resume after ${cut.type} ${cut.seq}`);
  }
});

test('a later turn is positioned after every event of earlier turns; turnStartPosition skips to it', async () => {
  const events = await collect(scriptedSource(0, 2), turnStartPosition(2));
  assert.ok(events.every((e) => e.turn === 2));
  assert.ok(events[0]!.seq > TURN_SPAN + DONE_OFFSET);
  assert.ok(events.some((e) => e.type === 'output' && (e as { text: string }).text.startsWith('2:')));
  const chunks = chunkText('a🔥b', 0, 2);
  assert.deepEqual(
    chunks.map((c) => c.text),
    ['a', '🔥', 'b'],
    'a surrogate pair is never split',
  );
});

test('the renderer draws a spinner line on a TTY and plain lines otherwise', () => {
  const writes: string[] = [];
  const report: string[] = [];
  const sink = (tty: boolean) => ({ isTTY: tty, columns: 80, write: (s: string) => (writes.push(s), true) }) as unknown as NodeJS.WritableStream & { isTTY: boolean };
  const reportSink = { write: (s: string) => (report.push(s), true) } as unknown as NodeJS.WritableStream;
  const start = new Date(Date.now() - 61_000).toISOString();
  const events: JobEvent[] = [
    { seq: 1, turn: 1, type: 'phase', phase: 'streaming', status: 'running', turnStartedAt: start, deadlineAt: new Date(Date.now() + 3_539_000).toISOString() },
    { seq: 2, turn: 1, type: 'thought', text: 'Weighing sources' },
    { seq: 3, turn: 1, type: 'output', offset: 0, text: '# R', total: 3 },
    { seq: 4, turn: 1, type: 'turn-completed', status: 'completed', outputChars: 3, reportAvailable: true },
  ];
  const plain = new ProgressRenderer({ progress: sink(false), report: reportSink });
  for (const e of events) plain.handle(e);
  plain.close();
  assert.match(writes.join(''), /\[01:01\] turn 1: running \(streaming\)/);
  assert.match(writes.join(''), /thought: Weighing sources/);
  assert.deepEqual(report, ['# R', '\n']);

  writes.length = 0;
  const tty = new ProgressRenderer({ progress: sink(true), report: reportSink });
  tty.handle(events[0]!);
  tty.handle(events[1]!);
  (tty as unknown as { draw(): void }).draw();
  tty.close();
  assert.match(writes.join(''), /\r\x1b\[2K. turn 1 · running \(streaming\) · 01:01 \/ 1:00:00 · Weighing sources/);
});
