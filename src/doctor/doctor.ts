/**
 * `runDoctor`: checks, against whatever API the worker's environment points at, every assumption
 * the worker makes about the Interactions API, and returns one line per assumption plus spend.
 *
 * Order: model turn (create, stream, get, delete) — whose first request also proves credentials
 * and route — then the resume by `last_event_id`, the cancel, collaborative planning (only when
 * asked: it costs money), the webhook round trip (only with a URL), and what was seen that the
 * client does not know. Everything it creates is deleted; it stops creating at `maxTokens`.
 * No Temporal is involved: this is the wire client alone.
 */
import { NotFoundError } from '../interactions/errors';
import { geminiBackend, interactionsClientFromEnv, MISSING_GEMINI_CREDENTIALS, MissingCredentialsError, withoutEmpty } from '../interactions/gemini-env';
import { ConfigError } from '../common/errors';
import { cancelProbe } from './cancel-probe';
import { ProbeContext, describeError, type ProbeSettings } from './context';
import { modelTurnProbes } from './model-probe';
import { planningProbe } from './planning-probe';
import { exitCodeOf, type Check, type DoctorReport } from './report';
import { resumeProbe } from './resume-probe';
import { credentialsCheck, quotaProjectCheck, routeCheck } from './route-probe';
import { receiverVerifyOptions, webhookProbe, type WebhookProbeOptions } from './webhook-probe';
import { WireRecorder } from './wire';

export const DEFAULT_DOCTOR_MODEL = 'gemini-3-flash-preview';
export const DEFAULT_DOCTOR_AGENT = 'deep-research-preview-04-2026';
/** Default spend cap of one run, in tokens (a default run uses well under 3,000 on a flash model). */
export const DEFAULT_MAX_TOKENS = 20_000;

export interface DoctorOptions {
  /** The worker's environment (credentials, Vertex settings, GEMINI_JOBS_BASE_URL). */
  env: NodeJS.ProcessEnv;
  model?: string;
  agent?: string;
  /** Run the planning probe (`{ run: true }`) or say why not. Default: not requested. */
  deepResearch?: { run: true } | { run: false; reason: string };
  /** Webhook round trip; skipped when absent. */
  webhook?: WebhookProbeOptions;
  /** Save redacted wire transcripts to this directory. */
  recordDir?: string;
  maxTokens?: number;
  /** Longest wait for a background model turn, in milliseconds (default 120000). */
  turnTimeoutMs?: number;
  /** Longest wait for a Deep Research plan turn, in milliseconds (default 900000). */
  planTimeoutMs?: number;
  /** Interval between status GETs while waiting, in milliseconds (default 1000). */
  pollIntervalMs?: number;
  /** Called before each step starts (progress on stderr). */
  onStep?: (step: string) => void;
  /** Aborting it stops the probe early: nothing new is created, what was created is deleted. */
  signal?: AbortSignal;
}

/** The worker's Gemini settings are unusable (CLI exit code 2). No credentials at all is `MissingCredentialsError`. */
export class DoctorConfigError extends ConfigError {}

const ORDER = [
  'credentials',
  'route',
  'quota-project',
  'model.create',
  'model.stream',
  'model.get',
  'model.delete',
  'resume',
  'cancel',
  'planning',
  'planning.plan',
  'planning.refine',
  'planning.execute',
  'webhook',
  'unknown',
];

/** Runs the probe. Throws {@link DoctorConfigError} when there is nothing to probe. */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const env = withoutEmpty(opts.env);
  const backend = geminiBackend(env);
  if (!backend) throw new MissingCredentialsError(MISSING_GEMINI_CREDENTIALS);
  const wire = new WireRecorder(opts.recordDir !== undefined);
  let client;
  try {
    client = await interactionsClientFromEnv(env, { dispatcher: wire.dispatcher });
  } catch (err) {
    await wire.close();
    throw new DoctorConfigError(`the worker's Gemini settings are unusable: ${(err as Error).message}`, { cause: err });
  }
  const settings: ProbeSettings = {
    model: opts.model ?? DEFAULT_DOCTOR_MODEL,
    agent: opts.agent ?? DEFAULT_DOCTOR_AGENT,
    maxTokens: opts.maxTokens ?? DEFAULT_MAX_TOKENS,
    turnTimeoutMs: opts.turnTimeoutMs ?? 120_000,
    planTimeoutMs: opts.planTimeoutMs ?? 900_000,
    pollIntervalMs: opts.pollIntervalMs ?? 1_000,
  };
  const ctx = new ProbeContext(client, wire, settings);
  const onStop = () => ctx.stop.abort();
  if (opts.signal?.aborted) onStop();
  opts.signal?.addEventListener('abort', onStop, { once: true });
  const announce = (s: string) => opts.onStep?.(s);
  const skipAll = (ids: string[], why: string) => ids.forEach((id) => ctx.add({ id, result: 'skipped', detail: why }));

  try {
    announce('model turn');
    let firstError: unknown;
    try {
      await modelTurnProbes(ctx);
    } catch (err) {
      firstError = err;
    }
    ctx.add(credentialsCheck(ctx, env, firstError));
    const refused = (firstError as { code?: unknown } | undefined)?.code;
    if (firstError instanceof NotFoundError) {
      ctx.add({
        id: 'route',
        result: 'differs',
        detail: `create answered 404 on ${wire.firstRequest?.path ?? '?'}: ${describeError(firstError)}`,
        expected: 'the API serves the interactions route the client resolved',
        where: 'src/interactions/routing.ts',
      });
    } else if (firstError && (refused === 'unauthenticated' || refused === 'permission_denied' || wire.requests === 0)) {
      ctx.add({ id: 'route', result: 'skipped', detail: 'no request was answered' });
    } else {
      ctx.add(routeCheck(ctx, env));
    }
    ctx.add(quotaProjectCheck(ctx, env));

    if (firstError) {
      skipAll(
        ['model.stream', 'model.get', 'model.delete', 'resume', 'cancel', 'planning', 'planning.plan', 'planning.refine', 'planning.execute', 'webhook'],
        'the first model turn failed',
      );
    } else {
      announce('resume by last_event_id');
      await resumeProbe(ctx);
      announce('cancel');
      await cancelProbe(ctx);
      const dr = opts.deepResearch ?? { run: false, reason: 'not requested (--deep-research runs the Deep Research agent, which costs money)' };
      if (dr.run) {
        announce('collaborative planning (Deep Research)');
        await planningProbe(ctx);
      } else ctx.add({ id: 'planning', result: 'skipped', detail: dr.reason });
      announce('webhook');
      await webhookProbe(ctx, opts.webhook && { verify: receiverVerifyOptions(env, client.routing()), ...opts.webhook });
    }
  } finally {
    opts.signal?.removeEventListener('abort', onStop);
    await ctx.cleanup().catch(() => undefined);
  }
  ctx.add(unknownCheck(ctx));

  const checks = ORDER.flatMap((id) => ctx.checks.filter((c) => c.id === id)).concat(ctx.checks.filter((c) => !ORDER.includes(c.id)));
  const r = client.routing();
  const report: DoctorReport = {
    target: { family: r.family, origin: r.origin, prefix: r.prefix, apiVersion: r.apiVersion, backend, overridden: r.originOverridden },
    checks,
    spend: ctx.spend(),
    observed: ctx.observer.summary(),
    exitCode: exitCodeOf(checks),
  };
  if (opts.recordDir) {
    await wire.save(opts.recordDir, { tool: 'gemini-jobs doctor', recorded: new Date().toISOString(), target: report.target, model: settings.model });
    report.recordedTo = opts.recordDir;
  }
  await client.close();
  await wire.close();
  return report;
}

/** The `unknown` line: statuses, event, step and delta types seen that the client does not know. */
function unknownCheck(ctx: ProbeContext): Check {
  const o = ctx.observer;
  const parts: string[] = [];
  for (const [kind, label] of [
    ['status', 'statuses'],
    ['event', 'event types'],
    ['step', 'step types'],
    ['delta', 'delta types'],
  ] as const) {
    const u = o.unknown(kind);
    if (u.length > 0) parts.push(`${label}: ${u.map((x) => `${x.value} (at ${x.where})`).join(', ')}`);
  }
  const s = o.summary();
  if (parts.length > 0) {
    return {
      id: 'unknown',
      result: 'differs',
      detail: `seen but unknown to the client — ${parts.join('; ')}`,
      expected: 'only statuses/types in src/interactions/types.ts (they pass through, but the worker cannot act on them)',
      where: 'src/interactions/types.ts',
    };
  }
  return {
    id: 'unknown',
    result: 'ok',
    detail: `all known: statuses ${s.statuses.join(', ')}; ${s.eventTypes.length} event, ${s.stepTypes.length} step, ${s.deltaTypes.length} delta types`,
  };
}

export type { DoctorReport, Check } from './report';
