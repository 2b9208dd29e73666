/**
 * Heartbeat lag, measured from outside the worker (no hook in the worker is needed):
 *
 * - Emit time of event k of an interaction: the emulator runs in this process; every `emuEveryMs`
 *   its event count per interaction is read (`interactions()[].events`, event ids are `evt_<k>`),
 *   and an event is dated at the midpoint of the interval in which it appeared (±emuEveryMs/2).
 * - Record time: for a sample of jobs, `describe()` is called every `describeEveryMs` (250 ms); the pending
 *   followInteraction's `lastHeartbeatTime` and the `lastEventId` in its heartbeat details say which
 *   events the server has durably recorded by when. An event is recorded by the first heartbeat
 *   whose lastEventId is at or after it; events after the last heartbeat are recorded by the
 *   activity's completion (history `ActivityTaskCompleted` time).
 * - Heartbeat lag of an event = record time − emit time: how much a worker crash would replay.
 *
 * Also, for every job: completion lag = follow activity completed − emulator saw the run end.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Emulator } from '../../src/emulator';
import type { FollowCheckpoint } from '../../activities/types';
import type { JobSpec } from './jobs';
import type { FlushPolicy } from '../../activities/flush';
import { resumeLags, simulateFlusher } from './flush-model';
import { percentile } from './stats';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'incomplete', 'budget_exceeded', 'requires_action']);

interface Beat {
  /** When the server recorded it (lastHeartbeatTime). */
  at: number;
  /** Event k of its lastEventId (`evt_<k>`). */
  index: number;
  /** When the worker sent it (the checkpoint's `at`), and applied its event (`progress.lastEventAt`); worker clock. */
  sentAt: number;
  appliedAt: number;
}

/** Where one recorded heartbeat's event spent its time (ms), from the emulator's write to the server's record. */
export interface BeatParts {
  /** Emulator emitted the event → the worker applied it (socket, the worker's event loop). */
  delivery: number;
  /** Applied → the flusher sent the checkpoint (the flush rule's wait, and a late timer). */
  wait: number;
  /** Sent → the server recorded it (SDK, core's heartbeat manager, the RPC, the server's queue). */
  record: number;
}

export class LagProbe {
  private readonly jobOfInput = new Map<string, string>();
  private readonly sampled: Set<string>;
  private readonly interactionOfJob = new Map<string, string>();
  private readonly seenEvents = new Map<string, number>();
  private readonly lastObsAt = new Map<string, number>();
  /** interaction id → emit time of event k at [k - 1]. */
  private readonly emitTimes = new Map<string, number[]>();
  /** interaction id → whether event k carries an event_id (a possible resume point), at [k - 1]; read once, after the run. */
  private readonly idFlags = new Map<string, boolean[]>();
  /** interaction id → when the emulator was first seen with a terminal status. */
  readonly endedAt = new Map<string, number>();
  /** job id → heartbeats observed on the server. */
  private readonly beats = new Map<string, Beat[]>();
  private readonly timers: NodeJS.Timeout[] = [];
  private describing = false;
  describeCalls = 0;
  /** Wall ms of each describe round: a round longer than the flush interval can miss a heartbeat (dating a covered event late). */
  readonly roundMs: number[] = [];
  /** Sampled jobs a watcher holds a watch lease for (their faster flush is reported apart). */
  readonly watchedJobIds = new Set<string>();
  /** Highest follow attempt seen per sampled job (a retried attempt replays from its checkpoint). */
  readonly followAttempts = new Map<string, number>();

  constructor(
    private readonly emulator: Emulator,
    private readonly client: Client,
    specs: readonly JobSpec[],
    sampleSize = 20,
    private readonly emuEveryMs = 100,
    private readonly describeEveryMs = 250,
  ) {
    for (const s of specs) this.jobOfInput.set(s.input, s.jobId);
    const step = Math.max(1, Math.floor(specs.length / Math.max(1, sampleSize)));
    this.sampled = new Set(
      specs
        .filter((_, i) => i % step === 0)
        .slice(0, sampleSize)
        .map((s) => s.jobId),
    );
  }

  start(): void {
    this.timers.push(setInterval(() => this.watchEmulator(), this.emuEveryMs));
    this.timers.push(setInterval(() => void this.describeSample(), this.describeEveryMs));
  }

  stop(): void {
    this.watchEmulator();
    for (const t of this.timers) clearInterval(t);
  }

  get sampleJobIds(): string[] {
    return [...this.sampled];
  }

  private watchEmulator(): void {
    const now = Date.now();
    for (const info of this.emulator.interactions()) {
      const jobId = typeof info.request['input'] === 'string' ? this.jobOfInput.get(info.request['input'] as string) : undefined;
      if (!jobId) continue;
      if (!this.interactionOfJob.has(jobId)) this.interactionOfJob.set(jobId, info.id);
      if (TERMINAL.has(info.status) && !this.endedAt.has(info.id)) this.endedAt.set(info.id, (now + (this.lastObsAt.get(info.id) ?? now)) / 2);
      // Every job's event times (the actions model runs on all of them); only sampled jobs are described.
      const seen = this.seenEvents.get(info.id) ?? 0;
      if (info.events > seen) {
        const times = this.emitTimes.get(info.id) ?? [];
        const at = (now + (this.lastObsAt.get(info.id) ?? now)) / 2;
        for (let k = seen; k < info.events; k++) times[k] = at;
        this.emitTimes.set(info.id, times);
        this.seenEvents.set(info.id, info.events);
      }
      this.lastObsAt.set(info.id, now);
    }
  }

  private async describeSample(): Promise<void> {
    if (this.describing) return; // a slow server: skip a round rather than pile up
    this.describing = true;
    const started = Date.now();
    try {
      await Promise.all(
        [...this.sampled].map(async (jobId) => {
          try {
            this.describeCalls++;
            const d = await this.client.workflow.getHandle(jobId).describe();
            const follow = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'followInteraction');
            if (follow?.attempt) this.followAttempts.set(jobId, Math.max(this.followAttempts.get(jobId) ?? 1, follow.attempt));
            const payload = follow?.heartbeatDetails?.payloads?.[0];
            if (!follow || !payload || !follow.lastHeartbeatTime) return;
            const cp = defaultPayloadConverter.fromPayload(payload) as Partial<FollowCheckpoint>;
            const m = /^evt_(\d+)$/.exec(cp.lastEventId ?? '');
            if (!m) return;
            const beat: Beat = {
              at: tsToMs(follow.lastHeartbeatTime),
              index: Number(m[1]),
              sentAt: Date.parse(cp.at ?? ''),
              appliedAt: Date.parse(cp.progress?.lastEventAt ?? ''),
            };
            const list = this.beats.get(jobId) ?? [];
            const last = list[list.length - 1];
            if (!last || last.at !== beat.at) list.push(beat);
            this.beats.set(jobId, list);
          } catch {
            // not started yet, or the server is busy: the next round catches up
          }
        }),
      );
    } finally {
      this.roundMs.push(Date.now() - started);
      this.describing = false;
    }
  }

  /** Sampled jobs whose follow activity was seen on a second or later attempt. */
  retriedJobs(): number {
    return [...this.followAttempts.values()].filter((a) => a > 1).length;
  }

  /** p99 of the describe round durations (ms). */
  roundP99Ms(): number {
    return percentile(this.roundMs, 99);
  }

  private jobsOf(which: 'watched' | 'unwatched'): string[] {
    return [...this.sampled].filter((j) => this.watchedJobIds.has(j) === (which === 'watched'));
  }

  /** Heartbeat lags (ms) of every event of the sampled jobs; `completedAt` from history. */
  /**
   * `events: 'ids'` (default): only events with an event_id, the only possible resume points: how far
   * the durable resume point trails the stream. `'all'`: id-less events too, which are covered only
   * once a LATER id'd event is checkpointed (a crash replays them from the previous id).
   */
  heartbeatLags(completedAt: Map<string, number | undefined>, which: 'watched' | 'unwatched' = 'unwatched', events: 'ids' | 'all' = 'ids'): number[] {
    const lags: number[] = [];
    for (const jobId of this.jobsOf(which)) {
      const interactionId = this.interactionOfJob.get(jobId);
      const times = interactionId ? this.emitTimes.get(interactionId) : undefined;
      const ids = interactionId ? this.hasIdOf(interactionId) : undefined;
      const beats = (this.beats.get(jobId) ?? []).sort((a, b) => a.at - b.at);
      const done = completedAt.get(jobId);
      if (!times) continue;
      for (let k = 1; k <= times.length; k++) {
        const emit = times[k - 1];
        if (emit === undefined) continue;
        if (events === 'ids' && ids?.[k - 1] === false) continue;
        const beat = beats.find((b) => b.index >= k);
        const recordedAt = beat?.at ?? done;
        if (recordedAt !== undefined) lags.push(Math.max(0, recordedAt - emit));
      }
    }
    return lags;
  }

  /** Whether each event of an interaction carries an event_id (read from the emulator once, when first asked). */
  private hasIdOf(interactionId: string): boolean[] {
    let flags = this.idFlags.get(interactionId);
    if (!flags) {
      flags = this.emulator.eventsFor(interactionId).map((e) => typeof e.event_id === 'string' && e.event_id !== '');
      this.idFlags.set(interactionId, flags);
    }
    return flags;
  }

  /** Completion lags (ms): follow activity completed − run ended at the emulator, per job. */
  completionLags(completedAt: Map<string, number | undefined>): number[] {
    const lags: number[] = [];
    for (const [jobId, interactionId] of this.interactionOfJob) {
      const ended = this.endedAt.get(interactionId);
      const done = completedAt.get(jobId);
      if (ended !== undefined && done !== undefined) lags.push(Math.max(0, done - ended));
    }
    return lags;
  }

  /**
   * The same events through the product's flusher on a simulated clock (no delivery, event-loop or
   * RPC delay): lag (ms) of each event of the unwatched sampled jobs, timed from the first event.
   */
  modelledLags(completedAt: Map<string, number | undefined>, policy: FlushPolicy): number[] {
    const lags: number[] = [];
    for (const jobId of this.jobsOf('unwatched')) {
      const interactionId = this.interactionOfJob.get(jobId);
      const times = interactionId ? this.emitTimes.get(interactionId) : undefined;
      const done = completedAt.get(jobId);
      if (!times || times.length === 0 || done === undefined) continue;
      const t0 = times[0]!;
      const ids = this.hasIdOf(interactionId!);
      // Only id'd events change the checkpoint (activities/follow.ts), as in the product.
      const rel = times.filter((t, k) => t !== undefined && ids?.[k] !== false).map((t) => t - t0);
      const endMs = done - t0;
      lags.push(...resumeLags(rel, simulateFlusher(policy, rel, endMs), endMs));
    }
    return lags;
  }

  /**
   * For each heartbeat of the unwatched sampled jobs that recorded a new event, where that event
   * spent its time (the event the checkpoint names; earlier events since the previous beat waited
   * longer in the flush rule, the other parts alike).
   */
  beatParts(): BeatParts[] {
    const out: BeatParts[] = [];
    for (const jobId of this.jobsOf('unwatched')) {
      const interactionId = this.interactionOfJob.get(jobId);
      const times = interactionId ? this.emitTimes.get(interactionId) : undefined;
      let previous = -1;
      for (const b of (this.beats.get(jobId) ?? []).sort((x, y) => x.at - y.at)) {
        // Only the beat that first recorded its event: later ones (liveness beats) repeat it.
        if (b.index === previous) continue;
        previous = b.index;
        const emit = times?.[b.index - 1];
        if (emit === undefined || !Number.isFinite(b.sentAt) || !Number.isFinite(b.appliedAt)) continue;
        out.push({ delivery: b.appliedAt - emit, wait: b.sentAt - b.appliedAt, record: b.at - b.sentAt });
      }
    }
    return out;
  }

  /** Heartbeats the product's flusher sends for the events of each job nobody watched (mean), on a simulated clock. */
  modelledBeatsPerJob(completedAt: Map<string, number | undefined>, policy: FlushPolicy): number {
    const counts: number[] = [];
    for (const jobId of this.interactionOfJob.keys()) {
      if (this.watchedJobIds.has(jobId)) continue;
      const interactionId = this.interactionOfJob.get(jobId);
      const times = interactionId ? this.emitTimes.get(interactionId) : undefined;
      const done = completedAt.get(jobId);
      const started = this.followStartedAt.get(jobId);
      if (!times || times.length === 0 || done === undefined) continue;
      // The activity's clock (its first send, its liveness) starts when it does, not at the run's
      // first event: the create and the workflow task that schedules the follow come in between.
      const t0 = started ?? times[0]!;
      const ids = this.hasIdOf(interactionId!);
      // Events emitted before the activity started reach it at its start (the stream replays them).
      const rel = times.filter((t, k) => t !== undefined && ids?.[k] !== false).map((t) => Math.max(0, t - t0));
      counts.push(simulateFlusher(policy, rel, done - t0).length);
    }
    return counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length);
  }

  /** When the follow activity of each job was scheduled (history), to start its simulated clock there. */
  readonly followStartedAt = new Map<string, number>();

  /** Distinct server-recorded heartbeats per sampled job (mean), all or only the (un)watched ones. */
  beatsPerJob(which?: 'watched' | 'unwatched'): number {
    const counts = (which ? this.jobsOf(which) : [...this.sampled]).map((j) => this.beats.get(j)?.length ?? 0);
    return counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length);
  }

  /** Heartbeats per minute of real run (× timeScale) of the (un)watched sampled jobs: beats over the span of their events. */
  beatsPerRealMinute(which: 'watched' | 'unwatched', timeScale: number): number {
    let beats = 0;
    let wallMs = 0;
    for (const jobId of this.jobsOf(which)) {
      const interactionId = this.interactionOfJob.get(jobId);
      const times = interactionId ? this.emitTimes.get(interactionId)?.filter((t) => t !== undefined) : undefined;
      if (!times || times.length < 2) continue;
      beats += this.beats.get(jobId)?.length ?? 0;
      wallMs += times[times.length - 1]! - times[0]!;
    }
    return wallMs > 0 ? beats / ((wallMs * timeScale) / 60_000) : NaN;
  }
}
