/**
 * The job workflow's Temporal messages: the signal, query and update definitions and the typed
 * search attribute keys. The shapes they carry are the contract (src/contract), re-exported here
 * so `gemini-jobs/workflows` and older imports keep working.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES } from '../src/contract/search-attributes';
import type { CancelRequest, FollowUpAccepted, FollowUpRequest, JobState, PlanApproval, WebhookNotice } from '../src/contract/job';

export * from '../src/contract/job';
export { DEFAULT_TASK_QUEUE, JOB_WORKFLOW_TYPE, JOB_RESULT_MEMO, WEBHOOK_METADATA_KEYS } from '../src/contract/constants';
export { SEARCH_ATTRIBUTE_NAMES } from '../src/contract/search-attributes';

export const cancelSignal = defineSignal<[CancelRequest?]>('cancel');
/** Sent by the webhook receiver (`createWebhookHandler`) for each verified delivery. */
export const webhookSignal = defineSignal<[WebhookNotice]>('interactionWebhook');
export const stateQuery = defineQuery<JobState>('state');
export const followUpUpdate = defineUpdate<FollowUpAccepted, [FollowUpRequest]>('followUp');
export const approvePlanUpdate = defineUpdate<FollowUpAccepted, [PlanApproval]>('approvePlan');
/** `webhook` mode: fetch the running turn's progress now (one GET) and return the state with it. */
export const refreshProgressUpdate = defineUpdate<JobState, []>('refreshProgress');

export const jobStatusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.status, SearchAttributeType.KEYWORD);
export const jobAgentKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.agent, SearchAttributeType.KEYWORD);
export const jobThreadKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.thread, SearchAttributeType.KEYWORD);
export const jobKindKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.kind, SearchAttributeType.KEYWORD);
export const jobQuestionKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.question, SearchAttributeType.KEYWORD);
export const jobModeKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.mode, SearchAttributeType.KEYWORD);
export const jobInteractionKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.interaction, SearchAttributeType.KEYWORD);

/** Every job search attribute's typed key, by its field in `JobVisibility`. */
export const JOB_SEARCH_ATTRIBUTE_KEYS = {
  status: jobStatusKey,
  agent: jobAgentKey,
  thread: jobThreadKey,
  kind: jobKindKey,
  question: jobQuestionKey,
  mode: jobModeKey,
  interaction: jobInteractionKey,
} as const;
