/** `gemini-jobs batch start|status|cancel|retry|results|list`: a list of questions run as one batch. */
import { readFile } from 'node:fs/promises';
import type { BatchOptions, BatchState, JobOptions } from '../../contract';
import { batchFormatOf, parseBatchFile } from '../../jobs/batch-file';
import { parseDuration, parseInteger, parsePositiveNumber, requirePositionals, str } from '../args';
import type { OptionSpec } from '../args';
import { connectJobs, printJson, println } from '../context';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import { DEFAULT_AGENT } from './jobs';

export const BATCH_COMMAND_OPTIONS: OptionSpec = {
  agent: { type: 'string' },
  model: { type: 'string' },
  'batch-id': { type: 'string' },
  window: { type: 'string' },
  'continue-as-new-every': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  mode: { type: 'string' },
  deadline: { type: 'string' },
  'follow-up-window': { type: 'string' },
  item: { type: 'string', multiple: true },
  reason: { type: 'string' },
  out: { type: 'string' },
  limit: { type: 'string' },
};

const SUBCOMMANDS = ['start', 'status', 'cancel', 'retry', 'results', 'list'] as const;

function optionsFromFlags(ctx: CommandContext): BatchOptions {
  const v = ctx.values;
  const jobOptions: JobOptions = { followUpWindowMs: 0 };
  const mode = str(v, 'mode');
  if (mode !== undefined) {
    if (mode !== 'stream' && mode !== 'poll' && mode !== 'webhook') throw new UsageError('--mode must be stream, poll or webhook', 'batch');
    jobOptions.mode = mode;
  }
  const deadline = str(v, 'deadline');
  if (deadline !== undefined) jobOptions.deadlineMs = parseDuration(deadline, '--deadline');
  const window = str(v, 'follow-up-window');
  if (window !== undefined) jobOptions.followUpWindowMs = parseDuration(window, '--follow-up-window', { allowZero: true });
  const options: BatchOptions = { jobOptions };
  const w = str(v, 'window');
  if (w !== undefined) options.window = parseInteger(w, '--window', 1, 10_000);
  const can = str(v, 'continue-as-new-every');
  if (can !== undefined) options.continueAsNewEvery = parseInteger(can, '--continue-as-new-every', 1, 10_000);
  const maxTokens = str(v, 'max-tokens');
  const maxCost = str(v, 'max-cost');
  if (maxTokens !== undefined || maxCost !== undefined) {
    options.budget = {
      ...(maxTokens !== undefined ? { maxTotalTokens: parseInteger(maxTokens, '--max-tokens') } : {}),
      ...(maxCost !== undefined ? { maxCostUsd: parsePositiveNumber(maxCost, '--max-cost') } : {}),
    };
  }
  return options;
}

function items(ctx: CommandContext): number[] | undefined {
  const raw = ctx.values['item'] as string[] | undefined;
  return raw?.map((s) => parseInteger(s, '--item'));
}

function printState(ctx: CommandContext, s: BatchState): void {
  if (ctx.json) return printJson(ctx, s);
  const c = s.counts;
  println(ctx, `batch ${s.batchId}: ${s.status}`);
  println(ctx, `  items:   ${c.total} (pending ${c.pending}, running ${c.running}, completed ${c.completed}, failed ${c.failed}, cancelled ${c.cancelled})`);
  println(ctx, `  usage:   ${s.totalTokens} tokens, ~$${s.costUsd.toFixed(4)}`);
  if (s.cancelReason) println(ctx, `  cancel:  ${s.cancelReason}`);
  if (s.budgetExceeded) println(ctx, `  budget:  exceeded ${s.budgetExceeded}`);
  for (const it of s.items) if (it.status !== 'completed' && it.status !== 'pending') println(ctx, `  #${it.item} ${it.status} ${it.jobId}${it.error ? `: ${it.error}` : ''}`);
}

export async function batchCommand(ctx: CommandContext): Promise<ExitCode> {
  const [sub, ...rest] = ctx.positionals;
  if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`batch needs a subcommand: ${SUBCOMMANDS.join(', ')}`, 'batch');
  if (sub === 'start') {
    const [file] = requirePositionals('batch', rest, ['questions.jsonl|csv']);
    const agent = str(ctx.values, 'agent');
    const model = str(ctx.values, 'model');
    if (agent && model) throw new UsageError('pass either --agent or --model, not both', 'batch');
    const defaults = model ? { model } : { agent: agent ?? DEFAULT_AGENT };
    let text: string;
    try {
      text = await readFile(file!, 'utf8');
    } catch (err) {
      throw new UsageError(`${file}: ${(err as Error).message}`, 'batch');
    }
    const requests = parseBatchFile(text, batchFormatOf(file!), defaults);
    const options = optionsFromFlags(ctx);
    const batchId = str(ctx.values, 'batch-id');
    const jobs = await connectJobs(ctx);
    try {
      const started = await jobs.startBatch(requests, { options, ...(batchId !== undefined ? { batchId } : {}) });
      if (ctx.json) printJson(ctx, started);
      else
        println(
          ctx,
          `${started.existing ? 'Batch already exists' : 'Started batch'} ${started.batchId} (${started.items} items). Progress: gemini-jobs batch status ${started.batchId}`,
        );
      return EXIT.OK;
    } finally {
      await jobs.close();
    }
  }
  const jobs = await connectJobs(ctx);
  try {
    if (sub === 'list') {
      const limit = str(ctx.values, 'limit');
      const list = await jobs.listBatches({ limit: limit !== undefined ? parseInteger(limit, '--limit') : 50 });
      if (ctx.json) printJson(ctx, list);
      else if (list.length === 0) println(ctx, 'No batches.');
      else for (const b of list) println(ctx, `${b.batchId}  ${b.status}  started ${b.startTime}`);
      return EXIT.OK;
    }
    const [batchId] = requirePositionals('batch', rest, ['batchId']);
    if (sub === 'status') {
      printState(ctx, await jobs.batchState(batchId!));
      return EXIT.OK;
    }
    if (sub === 'cancel') {
      const [item, ...more] = items(ctx) ?? [];
      if (more.length > 0) throw new UsageError('cancel takes one --item', 'batch');
      const reason = str(ctx.values, 'reason');
      const delivered = await jobs.cancelBatch(batchId!, { ...(item !== undefined ? { item } : {}), ...(reason !== undefined ? { reason } : {}) });
      if (ctx.json) printJson(ctx, { batchId, item, cancelRequested: delivered });
      else println(ctx, delivered ? `Cancel requested for ${item !== undefined ? `item ${item} of ` : ''}batch ${batchId}.` : `Batch ${batchId} had already ended.`);
      return EXIT.OK;
    }
    if (sub === 'retry') {
      const named = items(ctx);
      const { retried } = await jobs.retryBatch(batchId!, named ? { items: named } : {});
      if (ctx.json) printJson(ctx, { batchId, retried });
      else println(ctx, retried.length ? `Retrying items ${retried.join(', ')} of batch ${batchId}.` : 'Nothing to retry.');
      return EXIT.OK;
    }
    // results
    const out = str(ctx.values, 'out');
    if (!out) throw new UsageError('results needs --out <dir>', 'batch');
    const { state, entries } = await jobs.writeBatchResults(batchId!, out);
    if (ctx.json) printJson(ctx, { batchId, dir: out, status: state.status, counts: state.counts, reports: entries.filter((e) => e.report).length });
    else println(ctx, `Wrote ${entries.filter((e) => e.report).length} reports and index.json, index.csv to ${out} (batch ${state.status}).`);
    return EXIT.OK;
  } finally {
    await jobs.close();
  }
}
