/**
 * Step: the quiet probe of one stream connection. After `probeEveryMs` of silence it reads the
 * interaction with a plain GET while the stream stays open, and quiet-probe.ts judges: a quiet gap
 * (listen on), a stream that fell behind (`stalled`: end this connection, reconnect at once), or a
 * run that ended unseen (`settled`: that GET is the truth). A failed probe changes nothing: the
 * stream, or its stall ceiling, decides.
 */
import type { Interaction } from '../../src/interactions/types';
import { judgeQuietProbe } from '../quiet-probe';
import type { FollowContext } from './context';
import { getOnce } from './read';
import { classifyStatus, type FollowState } from './state';

export interface ProbeFinding {
  verdict: 'settled' | 'stalled';
  interaction: Interaction;
}

export class QuietProbe {
  /** Set when a probe ended the connection. */
  finding: ProbeFinding | undefined;
  private timer: unknown;
  /** `updated` of the previous probe of the current silence. */
  private previousUpdated: string | undefined;
  private readonly enabled: boolean;

  constructor(
    private readonly ctx: FollowContext,
    private readonly st: FollowState,
    /** The connection's controller: a verdict other than quiet aborts it (not the activity). */
    private readonly connection: AbortController,
  ) {
    // Probing only makes sense below the stall ceiling, which reconnects anyway.
    this.enabled = ctx.settings.probeEveryMs < ctx.settings.stallMs;
  }

  /** Something arrived: a new silence starts now. */
  heard(): void {
    this.previousUpdated = undefined;
    this.arm();
  }

  /** (Re)starts the silence timer. */
  arm(): void {
    if (!this.enabled || this.connection.signal.aborted) return;
    this.clear();
    this.timer = this.ctx.clock.setTimer(() => void this.probe(), this.ctx.settings.probeEveryMs);
  }

  stop(): void {
    this.clear();
  }

  private clear(): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private async probe(): Promise<void> {
    this.timer = undefined;
    const connection = this.connection;
    let interaction: Interaction;
    try {
      interaction = await getOnce(this.ctx, { signal: connection.signal, maxAttempts: 3 });
    } catch {
      if (!connection.signal.aborted) this.arm();
      return;
    }
    if (connection.signal.aborted) return;
    const verdict = judgeQuietProbe(interaction, {
      stepsStarted: this.st.resume.live.stepsStarted,
      previousUpdated: this.previousUpdated,
      running: classifyStatus(String(interaction.status)) === 'running',
    });
    this.previousUpdated = typeof interaction.updated === 'string' ? interaction.updated : undefined;
    if (verdict === 'quiet') return this.arm();
    this.finding = { verdict, interaction };
    this.ctx.deps.log.info(`follow: quiet probe says ${verdict}`, { ...this.ctx.logFields, status: String(interaction.status), lastEventId: this.st.cp.lastEventId });
    connection.abort(new Error(`quiet probe: ${verdict}`));
  }
}
