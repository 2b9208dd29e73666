/**
 * Collaborative planning of the Deep Research agent, as Google documents it (interactions-api.md
 * §0.2): chained turns.
 *   plan    — `collaborative_planning: true`: the turn ends `completed` with the plan as its output;
 *   refine  — the flag still true and `previous_interaction_id`: `completed`, a revised plan;
 *   execute — `collaborative_planning: false` and `previous_interaction_id`: the research starts.
 * `requires_action` is for client-side function calls, not for plans. The execution is cancelled
 * as soon as it is accepted (and the cancel confirmed), so the probe never pays for a full run.
 *
 * Only with `--deep-research`: Deep Research runs are billed per run.
 */
import { reportText } from '../interactions/accumulator';
import { isSettledStatus, type AgentCreateRequest, type Interaction } from '../interactions/types';
import { cancelAndConfirm } from './cancel-probe';
import { describeError, type ProbeContext } from './context';
import type { Check } from './report';

export const PLAN_PROMPT = 'Research the history of the paperclip. Propose a short plan first.';
export const REFINE_PROMPT = 'Keep the plan to three steps.';
export const EXECUTE_PROMPT = 'The plan is good. Go ahead.';

/** What the probe tells a person before it spends money. */
export const DEEP_RESEARCH_COST_WARNING =
  '--deep-research runs the Deep Research agent: a plan turn, one refinement, and an execution that is cancelled ' +
  'as soon as it starts. Deep Research is billed per run (secondary sources cite $1–3 for a standard run), so ' +
  'this step may cost a few dollars.';

function body(ctx: ProbeContext, input: string, collaborative: boolean, previous?: string): AgentCreateRequest & { stream?: false } {
  return {
    agent: ctx.settings.agent,
    input,
    background: true,
    store: true,
    agent_config: { type: 'deep-research', thinking_summaries: 'auto', collaborative_planning: collaborative },
    ...(previous ? { previous_interaction_id: previous } : {}),
  } as AgentCreateRequest & { stream?: false };
}

/** Follow a turn's events until it settles (bounded by the plan timeout), then read it with GET. */
async function follow(ctx: ProbeContext, id: string, where: string): Promise<Interaction> {
  const signal = AbortSignal.any([AbortSignal.timeout(ctx.settings.planTimeoutMs), ctx.stop.signal]);
  try {
    for await (const e of ctx.client.resume(id, { signal })) ctx.event(e, where);
  } catch (err) {
    if (!signal.aborted) throw err;
  }
  const final = await ctx.client.get(id);
  ctx.seen(final, where);
  return final;
}

function planLine(lineId: string, turn: Interaction, what: string): Check {
  const text = reportText(turn);
  if (turn.status === 'completed' && text) return { id: lineId, result: 'ok', detail: `completed with ${what} as output (${text.length} chars)`, where: turn.id };
  const seen = turn.status === 'requires_action' ? 'ended requires_action' : `ended ${turn.status}`;
  return {
    id: lineId,
    result: 'differs',
    detail: `${seen}${text ? ` with ${text.length} chars of output` : ' with no output text'}`,
    expected: `status completed with ${what} as the output (collaborative planning = chained turns; requires_action is for function calls)`,
    where: turn.id,
  };
}

const RESEARCH_STEPS = new Set(['google_search_call', 'url_context_call']);

/**
 * The refine line: like a plan line, and a turn that searched and wrote far more than the plan is
 * the research itself — which, per Google's guides, the flag still true must not start.
 */
function refineLine(plan: Interaction, refined: Interaction): Check {
  const line = planLine('planning.refine', refined, 'a revised plan');
  if (line.result !== 'ok') return line;
  const searches = (refined.steps ?? []).filter((s) => RESEARCH_STEPS.has(String((s as { type?: unknown }).type))).length;
  const planChars = reportText(plan).length;
  const chars = reportText(refined).length;
  if (searches > 0 && chars > 3 * Math.max(planChars, 1)) {
    return {
      ...line,
      result: 'differs',
      detail: `the refine turn ran the research: ${searches} search steps, ${chars} chars of output vs a ${planChars}-char plan`,
      expected: 'with collaborative_planning still true the agent only revises the plan',
    };
  }
  return line;
}

/** Runs `planning.plan`, `planning.refine`, `planning.execute`. */
export async function planningProbe(ctx: ProbeContext): Promise<void> {
  const lines = ['planning.plan', 'planning.refine', 'planning.execute'];
  const skipRest = (from: number, why: string) => {
    for (const id of lines.slice(from)) ctx.add({ id, result: 'skipped', detail: why });
  };
  let step = 0;
  try {
    ctx.step('planning.plan');
    const plan = await ctx.create(body(ctx, PLAN_PROMPT, true), 'planning.plan');
    const planned = await follow(ctx, plan.id, 'planning.plan');
    ctx.add(planLine('planning.plan', planned, 'the plan'));
    step = 1;
    if (!isSettledStatus(planned.status)) return skipRest(1, `the plan turn did not settle (${planned.status})`);
    if (ctx.overBudget()) return skipRest(1, ctx.overBudget()!);

    ctx.step('planning.refine');
    const refine = await ctx.create(body(ctx, REFINE_PROMPT, true, planned.id), 'planning.refine');
    const refined = await follow(ctx, refine.id, 'planning.refine');
    ctx.add(refineLine(planned, refined));
    step = 2;
    if (!isSettledStatus(refined.status)) return skipRest(2, `the refine turn did not settle (${refined.status})`);
    if (ctx.overBudget()) return skipRest(2, ctx.overBudget()!);

    ctx.step('planning.execute');
    const exec = await ctx.create(body(ctx, EXECUTE_PROMPT, false, refined.id), 'planning.execute');
    if (isSettledStatus(exec.status)) {
      ctx.add({
        id: 'planning.execute',
        result: 'differs',
        detail: `the execution turn answered ${exec.status} at once`,
        expected: 'accepted and running (in_progress/queued)',
        where: exec.id,
      });
    } else {
      const confirmed = await cancelAndConfirm(ctx, exec.id, 'planning.execute');
      ctx.add(
        confirmed.result === 'ok'
          ? { ...confirmed, detail: `research accepted (${exec.status}) with collaborative_planning false + previous_interaction_id; ${confirmed.detail}` }
          : confirmed,
      );
    }
    step = 3;
  } catch (err) {
    ctx.add({ id: lines[step]!, result: 'failed', detail: describeError(err) });
    skipRest(step + 1, 'an earlier planning turn failed');
  } finally {
    ctx.step('planning.cleanup');
  }
}
