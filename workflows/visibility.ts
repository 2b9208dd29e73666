/**
 * The job's search attributes, kept by the workflow itself so a job lists, filters and shows the
 * same whoever started it. From the first workflow task it publishes what the starter did not set
 * (the jobs client sets every one at start, so its jobs pay no upsert); then each status change and
 * the current interaction, in one upsert per change. Deterministic code only.
 *
 * A legacy execution (0.1.0 history) publishes exactly what 0.1.0 did: the status alone, and only
 * when the starter had registered it.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { JobStatus } from '../src/contract/job';
import type { JobVisibility } from '../src/contract/visibility';
import { JOB_SEARCH_ATTRIBUTE_KEYS, jobStatusKey } from './definitions';

type Field = keyof typeof JOB_SEARCH_ATTRIBUTE_KEYS;

export class JobVisibilityPublisher {
  /** What the job's search attributes hold now, as far as this run knows. */
  private readonly shown = new Map<Field, string>();
  /** Legacy: whether the starter registered the status attribute (0.1.0 upserted only then). */
  private readonly legacyStatusShown: boolean;

  constructor(private readonly legacy: boolean) {
    const current = workflowInfo().typedSearchAttributes;
    for (const [field, key] of Object.entries(JOB_SEARCH_ATTRIBUTE_KEYS) as Array<[Field, (typeof JOB_SEARCH_ATTRIBUTE_KEYS)[Field]]>) {
      const value = current.get(key);
      if (typeof value === 'string') this.shown.set(field, value);
    }
    this.legacyStatusShown = current.get(jobStatusKey) !== undefined;
  }

  /** The first workflow task: publishes what differs from `visibility` (nothing for a job the jobs client started). */
  start(visibility: JobVisibility): void {
    if (!this.legacy) this.publish(visibility);
  }

  /** The job's status changed; `interaction` is the current turn's interaction, once created. */
  status(status: JobStatus, interaction?: string): void {
    if (this.legacy) return this.legacyStatus(status);
    // `pending` lasts only until the create answers: not worth a history event per follow-up turn.
    if (status === 'pending') return;
    this.publish({ status, ...(interaction !== undefined ? { interaction } : {}) });
  }

  /** The status shown now (undefined when none). */
  get shownStatus(): string | undefined {
    return this.shown.get('status');
  }

  /** One upsert of every field whose value differs from what is shown. */
  private publish(values: Partial<JobVisibility>): void {
    const changes: SearchAttributeUpdatePair[] = [];
    for (const [field, value] of Object.entries(values) as Array<[Field, string | undefined]>) {
      if (value === undefined || this.shown.get(field) === value) continue;
      changes.push({ key: JOB_SEARCH_ATTRIBUTE_KEYS[field], value });
      this.shown.set(field, value);
    }
    if (changes.length > 0) upsertSearchAttributes(changes);
  }

  private legacyStatus(status: JobStatus): void {
    if (!this.legacyStatusShown || status === 'pending' || this.shown.get('status') === status) return;
    upsertSearchAttributes([{ key: jobStatusKey, value: status }]);
    this.shown.set('status', status);
  }
}
