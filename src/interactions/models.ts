/**
 * The one home of agent and model ids: which agents the Interactions API serves today, which it
 * has shut down (and what replaces them), and the model ids both newest SDKs (3.6.1) list.
 * The emulator refuses anything else as the API does; the jobs client (and so the CLI, the HTTP
 * API) refuses to enqueue a retired agent, naming its replacement. The SDKs still list the retired agent in their `AgentOption` type: a shut-down id is only
 * known from Google's changelog, so it is kept here with its date.
 */

/** Agents served today (Deep Research and Antigravity previews). */
export const CURRENT_AGENTS = ['deep-research-preview-04-2026', 'deep-research-max-preview-04-2026', 'antigravity-preview-05-2026', 'antigravity-preview-09-2026'] as const;
export type CurrentAgent = (typeof CURRENT_AGENTS)[number];

export interface RetiredAgent {
  id: string;
  /** ISO date Google deprecated it. */
  deprecatedOn: string;
  /** ISO date it stopped being served. */
  shutDownOn: string;
  /** The current agent to use instead. */
  replacement: CurrentAgent;
}

export const RETIRED_AGENTS: readonly RetiredAgent[] = [
  { id: 'deep-research-pro-preview-12-2025', deprecatedOn: '2026-10-08', shutDownOn: '2026-10-23', replacement: 'deep-research-preview-04-2026' },
];

/** The retirement record of `agent`, if it was shut down. */
export function retiredAgent(agent: string): RetiredAgent | undefined {
  return RETIRED_AGENTS.find((a) => a.id === agent);
}

/** True when `agent` is one the API serves today. */
export function isCurrentAgent(agent: string): agent is CurrentAgent {
  return (CURRENT_AGENTS as readonly string[]).includes(agent);
}

/** Model ids of the `Model` enum of @google/genai 3.6.1 and google-genai 3.6.1 (identical lists). */
export const KNOWN_MODELS = [
  'gemma-4-26b-a4b-it',
  'gemma-4-31b-it',
  'gemini-flash-latest',
  'gemini-flash-lite-latest',
  'gemini-pro-latest',
  'gemini-2.5-flash',
  'gemini-2.5-pro',
  'gemini-2.5-flash-lite',
  'gemini-3.5-flash-lite',
  'gemini-2.5-flash-image',
  'gemini-3-flash-preview',
  'gemini-3.1-pro-preview',
  'gemini-3.1-pro-preview-customtools',
  'gemini-3.1-flash-lite',
  'gemini-3.1-flash-lite-image',
  'gemini-3-pro-image',
  'nano-banana-pro-preview',
  'gemini-3.1-flash-image',
  'gemini-nano-banana-2.1',
  'gemini-3.1-flash-tts-preview',
  'gemini-3.5-flash',
  'gemini-3.6-flash',
  'gemini-3.7-flash',
  'gemini-3.8-flash',
  'gemini-4-argon',
  'gemini-4-carbon',
  'gemini-4-hydrogen',
  'gemini-4-neon',
  'gemini-3.8-flash-tts',
  'gemini-3.8-flash-lite-tts',
  'gemini-3.5-transcribe',
  'lyria-3-clip-preview',
  'lyria-3-pro-preview',
  'gemini-robotics-er-1.6-preview',
  'gemini-robotics-er-2-preview',
  'lyria-3.5',
  'gemini-omni-1.2-flash',
  'gemini-omni-1.1-flash',
  'gemini-omni-flash-preview',
] as const;
export type KnownModel = (typeof KNOWN_MODELS)[number];

export function isKnownModel(model: string): model is KnownModel {
  return (KNOWN_MODELS as readonly string[]).includes(model);
}
