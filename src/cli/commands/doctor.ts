/** `gemini-jobs doctor`: probe the API the worker's environment points at (no Temporal needed). */
import { createInterface } from 'node:readline/promises';
import { parseDuration, parseInteger, str } from '../args';
import type { OptionSpec } from '../args';
import { flag, info } from '../context';
import type { CommandContext } from '../context';
import type { ExitCode } from '../exit-codes';
import { UsageError } from '../exit-codes';
import { DEEP_RESEARCH_COST_WARNING, formatTable, runDoctor, toJson } from '../../doctor';
import type { DoctorOptions } from '../../doctor';

export const DOCTOR_OPTIONS: OptionSpec = {
  model: { type: 'string' },
  agent: { type: 'string' },
  'deep-research': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'webhook-url': { type: 'string' },
  'webhook-listen': { type: 'string' },
  'webhook-wait': { type: 'string' },
  record: { type: 'string' },
  'max-tokens': { type: 'string' },
  'turn-timeout': { type: 'string' },
  'plan-timeout': { type: 'string' },
};

/** Asks on the terminal whether to spend money on Deep Research; false off a terminal. */
async function confirmDeepResearch(ctx: CommandContext): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr, terminal: false });
  try {
    const answer = await rl.question(`${DEEP_RESEARCH_COST_WARNING}\nContinue? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function deepResearchChoice(ctx: CommandContext): Promise<NonNullable<DoctorOptions['deepResearch']>> {
  if (!flag(ctx, 'deep-research')) {
    return { run: false, reason: 'not requested (--deep-research runs the Deep Research agent, which costs money)' };
  }
  if (flag(ctx, 'yes')) return { run: true };
  if (!ctx.io.stdin.isTTY || !ctx.io.stderr.isTTY) {
    return { run: false, reason: 'refused: Deep Research costs money and there is no terminal to confirm it; add --yes' };
  }
  return (await confirmDeepResearch(ctx)) ? { run: true } : { run: false, reason: 'declined at the cost prompt' };
}

export async function doctorCommand(ctx: CommandContext): Promise<ExitCode> {
  const v = ctx.values;
  if (ctx.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.positionals[0])}`, 'doctor');
  const maxTokens = str(v, 'max-tokens');
  const turnTimeout = str(v, 'turn-timeout');
  const planTimeout = str(v, 'plan-timeout');
  const webhookUrl = str(v, 'webhook-url');
  const webhookListen = str(v, 'webhook-listen');
  const webhookWait = str(v, 'webhook-wait');
  if (!webhookUrl && (webhookListen || webhookWait)) throw new UsageError('--webhook-listen and --webhook-wait need --webhook-url', 'doctor');
  if (webhookUrl && !/^https?:\/\//i.test(webhookUrl)) throw new UsageError(`--webhook-url must be an http(s) URL (got ${JSON.stringify(webhookUrl)})`, 'doctor');
  const opts: DoctorOptions = {
    env: ctx.io.env,
    deepResearch: await deepResearchChoice(ctx),
    ...(str(v, 'model') ? { model: str(v, 'model')! } : {}),
    ...(str(v, 'agent') ? { agent: str(v, 'agent')! } : {}),
    ...(str(v, 'record') ? { recordDir: str(v, 'record')! } : {}),
    ...(maxTokens ? { maxTokens: parseInteger(maxTokens, '--max-tokens') } : {}),
    ...(turnTimeout ? { turnTimeoutMs: parseDuration(turnTimeout, '--turn-timeout') } : {}),
    ...(planTimeout ? { planTimeoutMs: parseDuration(planTimeout, '--plan-timeout') } : {}),
    ...(webhookUrl
      ? { webhook: { url: webhookUrl, ...(webhookListen ? { listen: webhookListen } : {}), waitMs: webhookWait ? parseDuration(webhookWait, '--webhook-wait') : 60_000 } }
      : {}),
  };
  if (!ctx.json) opts.onStep = (step) => info(ctx, `doctor: ${step}…`);
  // First Ctrl-C: stop creating, delete what was created, print what was found. A second one quits.
  const stop = new AbortController();
  opts.signal = stop.signal;
  const removeStop = ctx.io.onStop(() => {
    removeStop();
    info(ctx, 'doctor: stopping; deleting what it created (Ctrl-C again to quit at once)');
    stop.abort();
  });
  let report;
  try {
    report = await runDoctor(opts);
  } finally {
    removeStop();
  }
  ctx.io.stdout.write((ctx.json ? toJson(report) : formatTable(report, ctx.io.stdout.columns ?? 110)) + '\n');
  return report.exitCode;
}
