/**
 * Shared setup of the follow-step tests: the emulator over real HTTP on a manual clock, a client
 * pointed at it, and one follow attempt (context and state) whose heartbeats are recorded. Time
 * moves only when a test advances the clock; a test waits for sockets by counting event-loop turns.
 */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator';
import { InteractionsClient } from '../../src/interactions/client';
import { resolveDeps, silentLogger, type ActivityDeps } from '../../activities/deps';
import { startFollow } from '../../activities/follow';
import type { FollowAttempt, FollowContext } from '../../activities/follow/context';
import type { FollowState } from '../../activities/follow/state';
import type { FollowCheckpoint, FollowInteractionInput, FollowOptions } from '../../activities/types';
import { ManualClock } from '../helpers/manual-clock';

export const KEY = 'follow-steps-key';
export const DR_AGENT = 'deep-research-preview-04-2026';

/** Follow options of the step tests (ms of the manual clock); the stall ceiling is far off (it runs on real time). */
export const STEP_OPTIONS: FollowOptions = {
  mode: 'stream',
  streamIdleTimeoutMs: 30_000,
  streamStallTimeoutMs: 3_600_000,
  pollInitialIntervalMs: 2_000,
  pollMaxIntervalMs: 30_000,
  notFoundGraceMs: 20_000,
  keepaliveMs: 10_000,
};

export interface StepRig {
  clock: ManualClock;
  emulator: Emulator;
  client: InteractionsClient;
  close(): Promise<void>;
}

export async function stepRig(options: EmulatorOptions = {}): Promise<StepRig> {
  const clock = new ManualClock();
  const emulator = await startEmulator({ port: 0, timeScale: 1, deepResearchDurationMs: 120_000, apiKey: KEY, clock, ...options });
  const client = new InteractionsClient({ baseUrl: emulator.url, apiKey: KEY, maxRetries: 0 });
  return {
    clock,
    emulator,
    client,
    close: async () => {
      await client.close();
      await emulator.close();
    },
  };
}

/** Creates a background Deep Research run (optionally with an emulator scenario) and returns its id. */
export async function createRun(rig: StepRig, input: string, scenario?: string): Promise<string> {
  const created: { id: string } = await rig.client.create({
    agent: DR_AGENT,
    input,
    background: true,
    store: true,
    agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
    ...(scenario ? { labels: { 'emulator-scenario': scenario } } : {}),
  } as Parameters<InteractionsClient['create']>[0] & { stream?: false });
  return created.id;
}

export interface Attempt {
  ctx: FollowContext;
  st: FollowState;
  /** Heartbeats sent, each a copy taken at the send. */
  beats: FollowCheckpoint[];
  /** Cancels the attempt (as Temporal would). */
  cancel: AbortController;
}

/** One follow attempt on the rig's clock; `heartbeatDetails` resumes a previous one. */
export function attempt(
  rig: StepRig,
  interactionId: string,
  extra: { options?: Partial<FollowOptions>; heartbeatDetails?: FollowCheckpoint; deps?: Partial<ActivityDeps>; input?: Partial<FollowInteractionInput> } = {},
): Attempt {
  const beats: FollowCheckpoint[] = [];
  const cancel = new AbortController();
  const run: FollowAttempt = {
    attempt: extra.heartbeatDetails ? 2 : 1,
    heartbeatDetails: extra.heartbeatDetails,
    heartbeatTimeoutMs: 40_000,
    runId: 'run-1',
    activityId: '2',
    signal: cancel.signal,
    heartbeat: (details) => beats.push(structuredClone(details)),
    clock: rig.clock,
  };
  const deps = resolveDeps({ client: rig.client, log: silentLogger, now: () => rig.clock.now(), ...extra.deps });
  const input: FollowInteractionInput = { jobId: 'job-1', turn: 1, interactionId, options: { ...STEP_OPTIONS, ...extra.options }, ...extra.input };
  const { ctx, st } = startFollow(deps, input, run);
  return { ctx, st, beats, cancel };
}

/** A few real event-loop turns: lets sockets deliver what the clock made the emulator write. */
export async function turns(n = 4): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * Advances the clock `stepMs` at a time (letting sockets deliver after each step) until `done`
 * settles, at most `maxSteps` times; returns its value. Fails if it never settles.
 */
export async function drive<T>(clock: ManualClock, done: Promise<T>, stepMs: number, maxSteps = 1_000): Promise<T> {
  let settled = false;
  const watched = done.finally(() => (settled = true));
  for (let i = 0; i < maxSteps && !settled; i++) {
    await turns();
    if (!settled) clock.advance(stepMs);
  }
  await turns();
  if (!settled) throw new Error(`still running after ${maxSteps} steps of ${stepMs} ms`);
  return watched;
}
