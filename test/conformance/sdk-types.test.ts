/**
 * Type-level conformance: the newest @google/genai's own interaction, step, delta, content,
 * annotation, tool and event types must be assignable to this client's wire types. Compiled by
 * `npm run lint` and `npm run build`: a mismatch is a compile error, not a runtime failure.
 *
 * Each SDK union is checked variant by variant against our *known* variant of the same
 * discriminator (our unions also have an open `Unknown*` member, which would accept anything).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Interactions } from '@google/genai' with { 'resolution-mode': 'import' };
import type {
  Annotation,
  Content,
  Interaction,
  InteractionEvent,
  InteractionStatus,
  KnownContent,
  KnownDelta,
  KnownInteractionEvent,
  KnownStep,
  KnownTool,
  Step,
  Usage,
} from '../../src/interactions/types';
import { DELTA_TYPES, EVENT_TYPES, KNOWN_STATUSES, STEP_TYPES } from '../../src/interactions/types';

/** Compile-time check: `T` must be `true`. */
type Assert<T extends true> = T;
type Assignable<A, B> = [A] extends [B] ? true : false;
/** Every variant of the SDK union `S` (discriminated by `K`) fits our known variant with the same discriminator. */
type VariantsFit<S, O, K extends string> = S extends { [P in K]: infer D }
  ? [S] extends [Extract<O, { [P in K]: D }>]
    ? [Extract<O, { [P in K]: D }>] extends [never]
      ? false
      : true
    : false
  : false;
type AllTrue<T> = [T] extends [true] ? true : false;

type SdkStep = Interactions.Step;
type SdkDelta = Interactions.StepDelta['delta'];
type SdkEvent = Interactions.InteractionSSEEvent;
type SdkContent = Interactions.Content;
type SdkTool = Interactions.Tool;
type SdkAnnotation = Interactions.Annotation;

export type Checks = [
  Assert<Assignable<Interactions.Interaction, Interaction>>,
  Assert<Assignable<Interactions.Interaction['status'], InteractionStatus>>,
  Assert<Assignable<NonNullable<Interactions.Interaction['usage']>, Usage>>,
  Assert<AllTrue<VariantsFit<SdkStep, KnownStep, 'type'>>>,
  Assert<AllTrue<VariantsFit<SdkDelta, KnownDelta, 'type'>>>,
  Assert<AllTrue<VariantsFit<SdkEvent, KnownInteractionEvent, 'event_type'>>>,
  Assert<AllTrue<VariantsFit<SdkContent, KnownContent, 'type'>>>,
  Assert<AllTrue<VariantsFit<SdkTool, KnownTool, 'type'>>>,
  Assert<Assignable<SdkAnnotation, Annotation>>,
  // Whole unions too (what a caller passes around).
  Assert<Assignable<SdkStep, Step>>,
  Assert<Assignable<SdkEvent, InteractionEvent>>,
  Assert<Assignable<SdkContent, Content>>,
];

test('the SDK type check compiled; runtime lists cover the SDK-known variants', () => {
  // The compile-time checks above are the test; these keep the runtime lists in step with them.
  const sdkSteps: Array<SdkStep['type']> = [
    'user_input',
    'model_output',
    'thought',
    'function_call',
    'function_result',
    'code_execution_call',
    'code_execution_result',
    'url_context_call',
    'url_context_result',
    'google_search_call',
    'google_search_result',
    'mcp_server_tool_call',
    'mcp_server_tool_result',
    'file_search_call',
    'file_search_result',
    'google_maps_call',
    'google_maps_result',
    'retrieval_call',
    'retrieval_result',
    'processing_call',
    'processing_result',
  ];
  for (const t of sdkSteps) assert.ok(STEP_TYPES.includes(t), t);
  const sdkEvents: Array<SdkEvent['event_type']> = ['interaction.created', 'interaction.completed', 'interaction.status_update', 'step.start', 'step.delta', 'step.stop', 'error'];
  for (const t of sdkEvents) assert.ok(EVENT_TYPES.includes(t), t);
  const sdkDeltas: Array<SdkDelta['type']> = ['text', 'thought_summary', 'arguments_delta', 'processing_call', 'retrieval_result', 'text_annotation_delta'];
  for (const t of sdkDeltas) assert.ok(DELTA_TYPES.includes(t as never), t);
  // google-genai 3.6.1 (Python) adds `idle` and the tool_search variants: ours is the larger surface.
  assert.ok(KNOWN_STATUSES.includes('idle'));
  assert.ok(STEP_TYPES.includes('tool_search_call') && DELTA_TYPES.includes('tool_search_result'));
});
