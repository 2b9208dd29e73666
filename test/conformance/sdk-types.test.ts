/**
 * Type-level conformance: the newest @google/genai's own interaction, step, delta, content,
 * annotation, tool and event types must be assignable to this client's wire types. Compiled by
 * `npm run lint` and `npm run build`: a mismatch is a compile error, not a runtime failure.
 *
 * Each SDK union is checked variant by variant against our *known* variant of the same
 * discriminator (our unions also have an open `Unknown*` member, which would accept anything).
 */
import { test } from 'node:test';
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
import { judge } from './js-sdk-types';
import { assertOurListsCover } from './lists';

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

test("the client's runtime lists cover the variants @google/genai declares (read from its .d.ts by the compiler)", () => {
  assertOurListsCover(judge([]).lists, '@google/genai');
});
