/**
 * The one registry of the job workflow's replay-sensitive changes: every `patched()` id the
 * workflows ask, what it guards, the release that added it and when it may be deprecated.
 * `test/replay/patch-registry.test.ts` fails when a workflow module asks an id that is not here,
 * asks one through a literal, or when an entry here is no longer asked. The playbook
 * (v1 → patched → deprecated → removed) is in workflows/README.md.
 *
 * Why one id can guard several behaviours: each `patched()` id a new execution passes costs it two
 * billable Temporal actions (the marker, and the `TemporalChangeVersion` search-attribute upsert
 * that the SDK's core adds beside it). Changes that ship in the same release never need to be told
 * apart on replay — no released history has one of them without the others — so a release's
 * changes share one id, asked once in the first workflow task of every execution, and each
 * behaviour is listed under it.
 *
 * Deterministic code only (bundled into the workflow sandbox).
 */

/** One patch id and what it switches on. */
export interface PatchEntry {
  /** The id `patched()` records. Descriptive, kebab-case, permanent: never renamed or reused. */
  readonly id: string;
  /** The release whose histories first carry the marker. */
  readonly since: string;
  /** Where the workflow asks it (once per execution unless said otherwise). */
  readonly askedAt: string;
  /** The behaviours it guards; histories without the marker take the old branch of each. */
  readonly guards: readonly string[];
  /** When `deprecatePatch()` may replace it, then when the call may be removed. */
  readonly deprecateWhen: string;
}

/**
 * Every patch id in use. Add an entry before calling `patched(PATCHES.x.id)`; never edit an `id`.
 */
export const PATCHES = {
  /**
   * Everything the job workflow changed between 0.1.0 and 0.2.0. A 0.1.0 history (no marker)
   * replays every old branch; a 0.2.0 execution takes every new one.
   */
  admittedTurns: {
    id: 'admitted-turns',
    since: '0.2.0',
    askedAt: 'workflows/job.ts, the constructor: the first workflow task of every run',
    guards: [
      'each turn waits for a permit from its credential admission limiter before the create, and gives it back when the turn ends',
      'the create runs in a cancellable scope: a cancel between create retries ends the turn at once',
      'a cancel or deadline during the follow activity sends the remote cancel at once, beside the activity cancellation',
      "the turn deadline counts from the create's answer, not from the turn's start or admission",
      'agent jobs without a deadline get AGENT_TURN_DEADLINE_MS (the API maximum run plus a margin), not 60 minutes',
      'approvePlan answers a completed plan turn with a chained turn (collaborative_planning false to execute, true to refine)',
      'a job cancelled through Temporal cancellation ends Temporal-cancelled, its result in the memo',
      'webhook follow mode: create with webhook_config, wait for the signalled notice (the webhook, or the sweeper backstop), keep whichever of two interactions of a turn settles first',
      'the workflow publishes its own search attributes (status, agent or model, kind, thread, question, mode, interaction id) with the status vocabulary queued / running / plan_ready',
    ],
    deprecateWhen:
      'once no execution started on 0.1.x can be open (one longest job lifetime after every worker runs 0.2.0 or later) and the v0.1.0 corpus is retired; remove the deprecatePatch call one job lifetime after that build is everywhere',
  },
} as const satisfies Record<string, PatchEntry>;

/** Every registered patch id. */
export const PATCH_IDS: readonly string[] = Object.values(PATCHES).map((p) => p.id);
