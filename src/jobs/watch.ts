/**
 * The resumable event stream behind `JobsClient.watch`: events derived from periodic state reads
 * (query + describe), each with a `seq` position a relay can hand to its client (SSE `id:`) and
 * resume from after a disconnect (`from` = the last `seq` received).
 *
 * Positions are not counters: they are computed from the job itself so that a new watcher, on
 * another process, lands on the same positions.
 *
 *   seq = turn × TURN_SPAN + offset within the turn, where the offset is
 *     [0, OUTPUT_BASE)               live events: 4 × (ms since the turn started) + kind
 *     OUTPUT_BASE + end char offset  report text chunks (`output`), so a resume continues at that char
 *     TURN_COMPLETED_OFFSET          the turn's end (`turn-completed`)
 *     DONE_OFFSET                    the end of the stream (`done`)
 *
 * Live events (phase, progress, thought) are snapshots: a resumed watcher gets the current
 * snapshot, not the ones it missed. Report text is exact: resuming from any `seq` never repeats
 * or skips a character.
 */
import type { AdmissionState, JobError, JobPhase, JobState, JobStatus, RetryingStep, TurnRecord } from '../contract';
import { statusClass, type Usage } from '../interactions/types';
import { pause } from '../common/sleep';

export const TURN_SPAN = 1_000_000_000_000;
export const OUTPUT_BASE = 500_000_000_000;
export const TURN_COMPLETED_OFFSET = TURN_SPAN - 2;
export const DONE_OFFSET = TURN_SPAN - 1;
const LIVE_SLOTS = 4;
const MAX_LIVE_MS = Math.floor((OUTPUT_BASE - LIVE_SLOTS) / LIVE_SLOTS);

interface EventBase {
  /** Position of this event; pass the last one received as `from` to resume after it. */
  seq: number;
  turn: number;
}
export interface PhaseEvent extends EventBase {
  type: 'phase';
  phase: JobPhase;
  status: JobStatus;
  upstreamStatus?: string;
  interactionId?: string;
  attempt?: number;
  /** The step Temporal is retrying and its last failure (redacted), e.g. a create failing on DNS. */
  retrying?: RetryingStep;
  turnStartedAt?: string;
  deadlineAt?: string;
  /** While phase is `queued`: the place in the credential's admission queue. */
  admission?: AdmissionState;
}
export interface ProgressEvent extends EventBase {
  type: 'progress';
  /** Report characters produced so far (the text itself arrives at turn completion). */
  outputChars: number;
  eventsApplied: number;
  /** Milliseconds since the turn started, by the watcher's clock. */
  elapsedMs: number;
  deadlineAt?: string;
}
export interface ThoughtEvent extends EventBase {
  type: 'thought';
  /** Latest thought summary of the running turn. */
  text: string;
}
export interface OutputEvent extends EventBase {
  type: 'output';
  /** Char offset (UTF-16 code units) of `text` in the turn's report. */
  offset: number;
  text: string;
  /** Length of the whole report. */
  total: number;
}
export interface TurnCompletedEvent extends EventBase {
  type: 'turn-completed';
  status: JobStatus;
  upstreamStatus?: string;
  interactionId?: string;
  /** Length of the report text delivered by `output` events (0 when none). */
  outputChars: number;
  /** False when the turn produced text that could not be read (store and API both lacked it). */
  reportAvailable: boolean;
  summary?: string;
  usage?: Usage;
  error?: JobError;
  /** When the turn started and ended (ISO), and its duration in milliseconds. */
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** True when this turn's output is a collaborative-planning plan waiting for approval (`state.plan`). */
  planReady?: boolean;
}
export interface DoneEvent extends EventBase {
  type: 'done';
  status: JobStatus;
  /** True when the job itself has ended; false when it waits for a follow-up or plan approval. */
  closed: boolean;
  error?: JobError;
}
export type JobEvent = PhaseEvent | ProgressEvent | ThoughtEvent | OutputEvent | TurnCompletedEvent | DoneEvent;
export type JobEventType = JobEvent['type'];

/** Where a `seq` lies. */
export function decodeSeq(seq: number): { turn: number; part: 'live' | 'output' | 'turn-completed' | 'done'; offset: number } {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`not a watch position: ${seq}`);
  const turn = Math.floor(seq / TURN_SPAN);
  const within = seq - turn * TURN_SPAN;
  if (within === DONE_OFFSET) return { turn, part: 'done', offset: within };
  if (within === TURN_COMPLETED_OFFSET) return { turn, part: 'turn-completed', offset: within };
  if (within >= OUTPUT_BASE) return { turn, part: 'output', offset: within - OUTPUT_BASE };
  return { turn, part: 'live', offset: within };
}

/** The position just before `turn`'s first event: `from` for watching a turn from its start. */
export function turnStartPosition(turn: number): number | undefined {
  return turn > 0 ? turn * TURN_SPAN - 1 : undefined;
}

/**
 * A turn's status after which it will not change any more: every job status but the job-level
 * `pending`/`running` and the upstream active ones ({@link statusClass} `active`). Unlike an
 * interaction's settled status, `timed_out` and `unknown` settle a turn (the turn ended; its
 * upstream status is what the workflow could not classify).
 */
export function isSettledTurnStatus(status: JobStatus | undefined): boolean {
  return status !== undefined && status !== 'pending' && status !== 'running' && statusClass(status) !== 'active';
}

/** The snapshot one state read yields. */
export interface JobSnapshot {
  state: JobState;
  /** True when the workflow execution has closed. */
  closed: boolean;
}

export interface WatchSource {
  read(): Promise<JobSnapshot>;
  /** The report text of a settled turn, or undefined when it has none / cannot be read. */
  report(turn: TurnRecord): Promise<string | undefined>;
}

export interface WatchOptions {
  /** Resume after this position (the last `seq` received). Default: the start of the latest turn. */
  from?: number;
  /** Milliseconds between state reads. Default 1 000. */
  pollIntervalMs?: number;
  /** Stops the iteration (no error is thrown). */
  signal?: AbortSignal;
  /**
   * `turn` (default): end with `done` once the watched turn is over, even if the job stays open
   * for follow-ups. `close`: follow later turns too, until the job itself ends.
   */
  until?: 'turn' | 'close';
  /** Characters per `output` event. Default 2 048. */
  chunkChars?: number;
  /** Consecutive failed state reads tolerated (a worker restarting) before the error is thrown. Default 30. */
  maxReadFailures?: number;
  /**
   * JobsClient.watch: hold a watch lease of this length (ms, renewed at half) so workers flush the
   * job's live progress faster while it is watched; `false` = no lease. Default 120 000.
   */
  watchLeaseMs?: number | false;
}

function turnRecord(state: JobState, turn: number): TurnRecord | undefined {
  for (let i = state.turns.length - 1; i >= 0; i--) if (state.turns[i]!.turn === turn) return state.turns[i];
  return undefined;
}

/** Is `turn` over in this snapshot? */
function turnSettled(snap: JobSnapshot, turn: number): boolean {
  if (snap.closed) return true;
  if (turn < snap.state.turn) return true;
  const record = turnRecord(snap.state, turn);
  if (record && isSettledTurnStatus(record.status)) return true;
  return snap.state.phase === 'waiting-for-input' || snap.state.phase === 'done';
}

/** A finished turn's start, end and duration (ms), from its record. */
function turnTimes(record: TurnRecord | undefined): { startedAt?: string; endedAt?: string; durationMs?: number } {
  if (!record) return {};
  const out: { startedAt?: string; endedAt?: string; durationMs?: number } = { startedAt: record.startedAt };
  if (record.endedAt) {
    out.endedAt = record.endedAt;
    const ms = Date.parse(record.endedAt) - Date.parse(record.startedAt);
    if (Number.isFinite(ms) && ms >= 0) out.durationMs = ms;
  }
  return out;
}

/** Splits `text` from `start` into chunks that never cut a surrogate pair. */
export function chunkText(text: string, start: number, chunkChars: number): Array<{ offset: number; text: string }> {
  const out: Array<{ offset: number; text: string }> = [];
  let offset = start;
  while (offset < text.length) {
    let end = Math.min(text.length, offset + chunkChars);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end -= 1;
    if (end <= offset) end = offset + 2;
    out.push({ offset, text: text.slice(offset, end) });
    offset = end;
  }
  return out;
}

/** Derives resumable job events from periodic snapshots. */
export async function* watchEvents(source: WatchSource, options: WatchOptions = {}): AsyncGenerator<JobEvent, void, undefined> {
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const chunkChars = Math.max(2, options.chunkChars ?? 2_048);
  const until = options.until ?? 'turn';
  const maxFailures = options.maxReadFailures ?? 30;
  const signal = options.signal;
  let cursor = options.from ?? -1;
  let failures = 0;

  const read = async (): Promise<JobSnapshot | undefined> => {
    for (;;) {
      if (signal?.aborted) return undefined;
      try {
        const snap = await source.read();
        failures = 0;
        return snap;
      } catch (err) {
        if ((err as { code?: string }).code === 'job_not_found' || ++failures > maxFailures) throw err;
        await pause(pollIntervalMs, signal);
      }
    }
  };

  let snap = await read();
  if (!snap) return;
  let turn: number;
  if (options.from === undefined) {
    turn = snap.state.turn;
  } else {
    const at = decodeSeq(options.from);
    turn = at.part === 'done' ? at.turn + 1 : at.turn;
  }
  let last: { phase?: string; status?: string; attempt?: number; position?: number; failure?: string; outputChars?: number; eventsApplied?: number; thought?: string } = {};
  let lastLiveSeq = -1;

  for (;;) {
    if (signal?.aborted) return;
    const state = snap.state;
    const block = turn * TURN_SPAN;

    if (turn > state.turn) {
      // Past the end of the latest turn: wait for a follow-up only when following the job.
      if (until === 'turn') return;
      if (snap.closed) {
        const doneSeq = (turn - 1) * TURN_SPAN + DONE_OFFSET;
        if (turn > 0 && cursor < doneSeq) {
          cursor = doneSeq;
          yield { seq: doneSeq, turn: turn - 1, type: 'done', status: state.status, closed: true, ...(state.error ? { error: state.error } : {}) };
        }
        return;
      }
      await pause(pollIntervalMs, signal);
      snap = await read();
      if (!snap) return;
      continue;
    }

    if (!turnSettled(snap, turn)) {
      const record = turnRecord(state, turn);
      const startedMs = Date.parse(record?.startedAt ?? state.turnStartedAt ?? state.startedAt);
      const ms = Math.min(MAX_LIVE_MS, Math.max(0, Date.now() - (Number.isFinite(startedMs) ? startedMs : Date.now())));
      let seq = Math.max(block + ms * LIVE_SLOTS, lastLiveSeq + 1);
      const pending: JobEvent[] = [];
      const progress = state.progress;
      if (
        last.phase !== state.phase ||
        last.status !== state.status ||
        last.attempt !== state.attempt ||
        last.position !== state.admission?.position ||
        last.failure !== state.retrying?.lastFailure
      ) {
        pending.push({
          seq: 0,
          turn,
          type: 'phase',
          phase: state.phase,
          status: state.status,
          ...(state.upstreamStatus !== undefined ? { upstreamStatus: state.upstreamStatus } : {}),
          ...(state.interactionId !== undefined ? { interactionId: state.interactionId } : {}),
          ...(state.attempt !== undefined ? { attempt: state.attempt } : {}),
          ...(state.retrying !== undefined ? { retrying: state.retrying } : {}),
          ...(state.turnStartedAt !== undefined ? { turnStartedAt: state.turnStartedAt } : {}),
          ...(state.deadlineAt !== undefined ? { deadlineAt: state.deadlineAt } : {}),
          ...(state.admission !== undefined ? { admission: state.admission } : {}),
        });
      }
      const outputChars = progress?.outputChars ?? 0;
      const eventsApplied = progress?.eventsApplied ?? 0;
      if (last.outputChars !== outputChars || last.eventsApplied !== eventsApplied) {
        pending.push({
          seq: 0,
          turn,
          type: 'progress',
          outputChars,
          eventsApplied,
          elapsedMs: ms,
          ...(state.deadlineAt !== undefined ? { deadlineAt: state.deadlineAt } : {}),
        });
      }
      if (progress?.latestThought && progress.latestThought !== last.thought) {
        pending.push({ seq: 0, turn, type: 'thought', text: progress.latestThought });
      }
      last = {
        phase: state.phase,
        status: state.status,
        attempt: state.attempt,
        position: state.admission?.position,
        failure: state.retrying?.lastFailure,
        outputChars,
        eventsApplied,
        thought: progress?.latestThought ?? last.thought,
      };
      for (const event of pending) {
        if (seq >= block + OUTPUT_BASE) break;
        event.seq = seq++;
        lastLiveSeq = event.seq;
        if (event.seq > cursor) {
          cursor = event.seq;
          yield event;
        }
      }
      await pause(pollIntervalMs, signal);
      snap = await read();
      if (!snap) return;
      continue;
    }

    // The turn is over: deliver its report text from the position reached, then its end.
    const record = turnRecord(state, turn);
    if (!record && turn < state.turn) {
      // A turn number the job never used (e.g. the state before the first turn began).
      turn += 1;
      continue;
    }
    const status: JobStatus = record?.status ?? state.status;
    if (cursor < block + TURN_COMPLETED_OFFSET) {
      let text: string | undefined;
      let reportAvailable = true;
      if (record) {
        text = await source.report(record);
        if (text === undefined && (record.report || (record.outputChars ?? 0) > 0)) reportAvailable = false;
      }
      text ??= '';
      const at = cursor >= block + OUTPUT_BASE ? cursor - block - OUTPUT_BASE : 0;
      for (const chunk of chunkText(text, at, chunkChars)) {
        if (signal?.aborted) return;
        const seq = block + OUTPUT_BASE + chunk.offset + chunk.text.length;
        cursor = seq;
        yield { seq, turn, type: 'output', offset: chunk.offset, text: chunk.text, total: text.length };
      }
      cursor = block + TURN_COMPLETED_OFFSET;
      yield {
        seq: cursor,
        turn,
        type: 'turn-completed',
        status,
        ...(record?.upstreamStatus !== undefined ? { upstreamStatus: record.upstreamStatus } : {}),
        ...(record?.interactionId !== undefined ? { interactionId: record.interactionId } : {}),
        outputChars: text.length,
        reportAvailable,
        ...(record?.summary !== undefined ? { summary: record.summary } : {}),
        ...(record?.usage !== undefined ? { usage: record.usage } : {}),
        ...(state.plan?.turn === turn ? { planReady: true } : {}),
        ...((record?.error ?? (turn === state.turn ? state.error : undefined)) ? { error: (record?.error ?? state.error)! } : {}),
        ...turnTimes(record),
      };
    }

    const lastTurn = turn >= state.turn;
    if (until === 'turn' || (lastTurn && snap.closed)) {
      if (cursor < block + DONE_OFFSET) {
        cursor = block + DONE_OFFSET;
        const error = record?.error ?? (lastTurn ? state.error : undefined);
        yield { seq: cursor, turn, type: 'done', status, closed: snap.closed && lastTurn, ...(error ? { error } : {}) };
      }
      return;
    }
    // Following the job: move on to the next turn (it may not have started yet).
    turn += 1;
    last = {};
    lastLiveSeq = -1;
    if (turn > state.turn) {
      await pause(pollIntervalMs, signal);
      snap = await read();
      if (!snap) return;
    }
  }
}
