/**
 * The live view of a job shared by the CLI (`watch`, `start --watch`) and the dev stack: follows
 * `JobsClient.watch` with the progress renderer (or NDJSON), warns while no worker polls the
 * job's task queue, and stops at once on Ctrl-C. Knows nothing of the CLI's flags.
 */
import type { JobsClient } from '../jobs/jobs-client';
import type { JobEvent, WatchOptions } from '../jobs/watch';
import { ProgressRenderer } from './render';

/** A writable terminal stream (`isTTY`/`columns` when it is a terminal). */
export type OutStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** The process streams the view writes to, and the user's stop request (SIGINT/SIGTERM). */
export interface ViewIO {
  stdout: OutStream;
  stderr: OutStream;
  /** Calls `listener` when the user asks to stop; returns the function that removes it. */
  onStop(listener: (signal: NodeJS.Signals) => void): () => void;
}

/** Where and how to show a job: report on `io.stdout`, progress on `io.stderr`; `json` prints NDJSON events instead. */
export interface WatchView {
  io: ViewIO;
  json: boolean;
}

function say(view: WatchView, line: string): void {
  view.io.stderr.write(line + '\n');
}

/** Follows a turn with the progress renderer (or NDJSON when `view.json`); returns the final status. */
export async function watchAndRender(view: WatchView, jobs: JobsClient, jobId: string, options: WatchOptions = {}): Promise<{ status: string; events: number }> {
  const controller = new AbortController();
  const removeStop = view.io.onStop(() => controller.abort());
  if (options.signal) options.signal.addEventListener('abort', () => controller.abort(), { once: true });
  const renderer = view.json ? undefined : new ProgressRenderer({ progress: view.io.stderr, report: view.io.stdout, jobId });
  let status = 'unknown';
  let events = 0;
  let done: Extract<JobEvent, { type: 'done' }> | undefined;
  let planReady = false;
  const aborted = new Promise<undefined>((resolve) => {
    if (controller.signal.aborted) resolve(undefined);
    controller.signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  const iterator = jobs.watch(jobId, { ...options, signal: controller.signal });
  const noWorker = warnWithoutWorker(jobs, jobId, controller.signal, (line) => (renderer ? renderer.notice(line) : say(view, line)));
  try {
    for (;;) {
      // Ctrl-C answers at once, even while a state read is in flight.
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === undefined || next.done) break;
      const event = next.value;
      events++;
      if (view.json) view.io.stdout.write(JSON.stringify(event) + '\n');
      else renderer!.handle(event);
      if (event.type === 'turn-completed' || event.type === 'done') status = event.status;
      if (event.type === 'turn-completed') planReady = event.planReady === true;
      if (event.type === 'done') done = event;
    }
  } finally {
    controller.abort();
    void iterator.return(undefined).catch(() => undefined);
    await noWorker;
    renderer?.close();
    removeStop();
  }
  if (!view.json) {
    if (done === undefined && controller.signal.aborted) for (const line of stoppedHint(jobId)) say(view, line);
    else if (done && !done.closed && !planReady) {
      // The turn is over but the job is not: say until when it takes a follow-up (one more read).
      const after = await jobs.snapshot(jobId).catch(() => undefined);
      const until = after && !after.closed && !after.state.plan ? after.state.followUpUntil : undefined;
      if (until !== undefined && Date.parse(until) > Date.now()) say(view, openHint(jobId, until));
    }
  }
  return { status, events };
}

/** What to run after Ctrl-C stopped a watch: the job goes on without the watcher. */
export function stoppedHint(jobId: string): string[] {
  return [
    `Stopped watching; job ${jobId} keeps running. Watch it again: gemini-jobs watch ${jobId}   Stop it: gemini-jobs cancel ${jobId}`,
    `When its turn ends it stays open for a follow-up: gemini-jobs follow-up ${jobId} "<question>"`,
  ];
}

/** What to run when a watched turn ended and the job waits for a follow-up (until `untilIso`). */
export function openHint(jobId: string, untilIso?: string): string {
  return `Job ${jobId} stays open for a follow-up${untilIso ? ` until ${untilIso}` : ''}: gemini-jobs follow-up ${jobId} "<question>"`;
}

/** How often `watch` re-checks that a worker polls the job's task queue (ms). */
const WORKER_CHECK_EVERY_MS = 15_000;

/** The warning shown when nothing polls `taskQueue`. */
export function noWorkerWarning(taskQueue: string): string {
  return (
    `warning: no worker is polling task queue ${taskQueue}, so this job cannot make progress. ` +
    `Start one: gemini-jobs worker --task-queue ${taskQueue} (or gemini-jobs dev), with the same --address/--namespace.`
  );
}

/**
 * While watching, warns (once per outage) when no worker polls the job's task queue. Never throws:
 * a failed check is not the job's problem.
 */
async function warnWithoutWorker(jobs: JobsClient, jobId: string, signal: AbortSignal, say: (line: string) => void): Promise<void> {
  let taskQueue: string | undefined;
  let warned = false;
  while (!signal.aborted) {
    try {
      if (taskQueue === undefined) {
        const description = await jobs.handle(jobId).describe();
        if (description.status.name !== 'RUNNING') return;
        taskQueue = description.taskQueue;
      }
      const pollers = await jobs.pollers(taskQueue);
      const none = pollers.workflowPollers === 0 && pollers.activityPollers === 0;
      if (none && !warned) say(noWorkerWarning(taskQueue));
      else if (!none && warned) say(`A worker is polling task queue ${taskQueue} again.`);
      warned = none;
    } catch {
      // describe/describeTaskQueue not allowed or the server blipped: say nothing.
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WORKER_CHECK_EVERY_MS);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
