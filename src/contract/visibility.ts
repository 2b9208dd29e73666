/**
 * What a job shows in every listing, computed from its input by one pure function: the workflow
 * publishes it (search attributes, from its first workflow task), and the jobs client sets the
 * same values at start so a job it starts costs no upsert. Whoever starts a job — the jobs client,
 * Python, `temporal workflow start`, the HTTP API — it lists, filters and shows the same.
 */
import type { JobMode, JobOptions, JobRequest, JobStatus } from './job';
import { DEFAULT_JOB_MODE } from './constants';
import type { JobKind } from './search-attributes';
import { questionOf } from './question';

/** The listing fields of a job (the values of its search attributes). */
export interface JobVisibility {
  status: JobStatus;
  kind: JobKind;
  /** The agent, or the model of a model turn. */
  agent?: string;
  thread?: string;
  question?: string;
  mode: JobMode;
  /** The current turn's interaction id, once created. */
  interaction?: string;
}

/** The fields that follow from the input alone (status and interaction change as the job runs). */
export function jobVisibilityOf(request: JobRequest | Record<string, unknown>, options: JobOptions = {}): Omit<JobVisibility, 'status' | 'interaction'> {
  const r = request as { agent?: unknown; model?: unknown };
  const agent = typeof r.agent === 'string' && r.agent !== '' ? r.agent : typeof r.model === 'string' && r.model !== '' ? r.model : undefined;
  const out: Omit<JobVisibility, 'status' | 'interaction'> = { kind: typeof r.agent === 'string' ? 'agent' : 'model', mode: options.mode ?? DEFAULT_JOB_MODE };
  if (agent !== undefined) out.agent = agent;
  if (options.thread !== undefined) out.thread = options.thread;
  const question = questionOf(request);
  if (question !== undefined) out.question = question;
  return out;
}
