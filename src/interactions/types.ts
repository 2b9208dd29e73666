/**
 * Wire types for the Gemini Interactions API ("steps" schema, API revision 2026-05-20 and later).
 *
 * Everything here mirrors the JSON on the wire: keys are snake_case, unions are open. An unknown
 * variant keeps its raw JSON (the `Unknown*` members), and enums accept any string via
 * `(string & {})`, because the API adds variants faster than a client ships. Narrow a union with
 * the `is*` helpers at the bottom of this file: with an open member in the union, TypeScript's
 * `x.type === 'text'` check alone does not drop the open member.
 *
 * No runtime code lives here except the status helpers and the narrowing guards.
 */
import type { CurrentAgent, KnownModel } from './models';

/** The stable `code` of every error the Interactions client throws (src/interactions/errors.ts). */
export type InteractionsErrorCode =
  | 'bad_request'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'rate_limited'
  | 'server_error'
  | 'api_error'
  | 'connection_error'
  | 'timeout'
  | 'stream_truncated'
  | 'stream_error'
  | 'invalid_request'
  | 'aborted';

/** An open string enum: the listed values plus any string the API adds later. */
export type OpenEnum<T extends string> = T | (string & {});

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** A JSON object whose shape we do not model. */
export type JsonObject = { [k: string]: unknown };

/** An unknown variant of a discriminated union: the discriminator plus its raw JSON. */
export interface UnknownVariant {
  type: string & {};
  [k: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Statuses

/** The 10 documented interaction statuses (open): @google/genai 3.3.0 lists 9, google-genai 3.6.1 adds `idle`. */
export type InteractionStatus = OpenEnum<
  'queued' | 'in_progress' | 'requires_action' | 'requires_continuation' | 'idle' | 'completed' | 'failed' | 'cancelled' | 'incomplete' | 'budget_exceeded'
>;

/**
 * The ONE classification of statuses (activities, the workflow and the stream all import it):
 *
 * - `active`: the run is still working (`queued`, `in_progress`); keep following.
 * - `terminal`: the interaction is over and never changes again.
 * - `waiting`: the run stopped and waits for the client: a chained create continues the thread
 *   (`requires_action`: client-side function calls; `requires_continuation`: per-request decode
 *   limit hit, resend `continuation_token` + `previous_interaction_id`; `idle`: the agent is
 *   waiting for the next input). Nothing more happens unless the client acts, so a follower stops.
 * - `unknown`: a status this version does not know; kept raw, never read as success.
 */
export type StatusClass = 'active' | 'terminal' | 'waiting' | 'unknown';

/** Statuses of a run that is still working. */
export const ACTIVE_STATUSES = ['queued', 'in_progress'] as const;

/** Statuses after which an interaction never changes again. */
export const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled', 'incomplete', 'budget_exceeded'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** Statuses of a run that stopped and waits for the client (a chained create continues it). */
export const WAITING_STATUSES = ['requires_action', 'requires_continuation', 'idle'] as const;
export type WaitingStatus = (typeof WAITING_STATUSES)[number];

/** Every status this version knows, in lifecycle order. */
export const KNOWN_STATUSES = [...ACTIVE_STATUSES, ...WAITING_STATUSES, ...TERMINAL_STATUSES] as const;
export type KnownStatus = (typeof KNOWN_STATUSES)[number];

/** True when `status` is one of {@link KNOWN_STATUSES} (`gemini-jobs doctor` reports the others as unknown). */
export function isKnownStatus(status: string | null | undefined): status is KnownStatus {
  return status != null && (KNOWN_STATUSES as readonly string[]).includes(status);
}

/** True when `status` is one of {@link TERMINAL_STATUSES}. */
export function isTerminalStatus(status: string | null | undefined): status is TerminalStatus {
  return status != null && (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** True when `status` is one of {@link WAITING_STATUSES}. */
export function isWaitingStatus(status: string | null | undefined): status is WaitingStatus {
  return status != null && (WAITING_STATUSES as readonly string[]).includes(status);
}

/** Classify a status (see {@link StatusClass}). */
export function statusClass(status: string | null | undefined): StatusClass {
  if (status == null) return 'unknown';
  if ((ACTIVE_STATUSES as readonly string[]).includes(status)) return 'active';
  if (isTerminalStatus(status)) return 'terminal';
  if (isWaitingStatus(status)) return 'waiting';
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------
// Usage

export type Modality = OpenEnum<'text' | 'image' | 'audio' | 'video' | 'document'>;

export interface ModalityTokens {
  modality?: Modality;
  tokens?: number;
}

export interface GroundingToolCount {
  type?: OpenEnum<'google_search' | 'google_maps' | 'retrieval'>;
  count?: number;
}

/** Token usage of an interaction (cumulative). */
export interface Usage {
  total_input_tokens?: number;
  total_output_tokens?: number;
  total_thought_tokens?: number;
  total_cached_tokens?: number;
  total_tool_use_tokens?: number;
  total_tokens?: number;
  initial_input_tokens?: number;
  input_tokens_by_modality?: ModalityTokens[];
  output_tokens_by_modality?: ModalityTokens[];
  cached_tokens_by_modality?: ModalityTokens[];
  tool_use_tokens_by_modality?: ModalityTokens[];
  grounding_tool_count?: GroundingToolCount[];
  [k: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Annotations (5 + unknown)

export interface UrlCitation {
  type: 'url_citation';
  url?: string;
  title?: string;
  start_index?: number;
  end_index?: number;
}

export interface FileCitation {
  type: 'file_citation';
  document_uri?: string;
  file_name?: string;
  source?: string;
  custom_metadata?: JsonObject;
  media_id?: string;
  page_number?: number;
  start_index?: number;
  end_index?: number;
}

export interface ReviewSnippet {
  review_id?: string;
  title?: string;
  url?: string;
}

export interface PlaceCitation {
  type: 'place_citation';
  name?: string;
  place_id?: string;
  url?: string;
  review_snippets?: ReviewSnippet[];
  start_index?: number;
  end_index?: number;
}

export interface WordInfo {
  type: 'word_info';
  text?: string;
  speaker?: string;
  start_offset?: string | number;
  end_offset?: string | number;
  start_index?: number;
  end_index?: number;
}

/** Speaker / style of a span of generated speech (JS 3.3.0 `SpeechAnnotation`). */
export interface SpeechMetadata {
  type: 'speech_metadata';
  speaker?: string;
  style?: string;
  start_index?: number;
  end_index?: number;
}

export type Annotation = UrlCitation | FileCitation | PlaceCitation | WordInfo | SpeechMetadata | UnknownVariant;

// ---------------------------------------------------------------------------------------------
// Content (5 + unknown)

export interface TextContent {
  type: 'text';
  text: string;
  annotations?: Annotation[];
}

export interface ImageContent {
  type: 'image';
  data?: string;
  uri?: string;
  mime_type?: OpenEnum<'image/png' | 'image/jpeg' | 'image/webp' | 'image/heic' | 'image/heif' | 'image/gif' | 'image/bmp' | 'image/tiff'>;
  resolution?: OpenEnum<'low' | 'medium' | 'high' | 'ultra_high'>;
}

/** Media processing: a mode name or `{ type: 'static', fps?, start_offset?, end_offset? }`. */
export type MediaProcessing = OpenEnum<'static' | 'agentic'> | { type?: OpenEnum<'static'>; fps?: number; start_offset?: string; end_offset?: string; [k: string]: unknown };

export type MediaResolution = OpenEnum<'low' | 'medium' | 'high' | 'ultra_high'>;

export interface AudioContent {
  type: 'audio';
  data?: string;
  uri?: string;
  processing?: MediaProcessing;
  mime_type?: OpenEnum<
    'audio/wav' | 'audio/mp3' | 'audio/aiff' | 'audio/aac' | 'audio/ogg' | 'audio/flac' | 'audio/mpeg' | 'audio/m4a' | 'audio/l16' | 'audio/opus' | 'audio/alaw' | 'audio/mulaw'
  >;
  channels?: number;
  sample_rate?: number;
}

export interface DocumentContent {
  type: 'document';
  data?: string;
  uri?: string;
  mime_type?: OpenEnum<
    | 'application/pdf'
    | 'text/csv'
    | 'application/vnd.openxmlformats-officedocument.presentationml.presentation'
    | 'application/vnd.ms-powerpoint'
    | 'application/vnd.oasis.opendocument.presentation'
    | 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
    | 'application/msword'
    | 'application/vnd.openxmlformats-officedocument.wordprocessingml.template'
    | 'application/vnd.oasis.opendocument.text'
    | 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    | 'application/vnd.ms-excel'
    | 'application/vnd.oasis.opendocument.spreadsheet'
  >;
  processing?: MediaProcessing;
  resolution?: MediaResolution;
}

export interface VideoContent {
  type: 'video';
  data?: string;
  uri?: string;
  mime_type?: string;
  name?: string;
  resolution?: MediaResolution;
  processing?: MediaProcessing;
}

export type KnownContent = TextContent | ImageContent | AudioContent | DocumentContent | VideoContent;
export type Content = KnownContent | UnknownVariant;
export type ContentType = KnownContent['type'];

// ---------------------------------------------------------------------------------------------
// Steps (23 + unknown)

export interface StepError {
  code?: number | string;
  message?: string;
  details?: JsonObject[];
}

export interface UserInputStep {
  type: 'user_input';
  content?: Content[];
}

export interface ModelOutputStep {
  type: 'model_output';
  content?: Content[];
  error?: StepError;
}

export interface ThoughtStep {
  type: 'thought';
  signature?: string;
  summary?: Array<TextContent | ImageContent | UnknownVariant>;
}

export interface FunctionCallStep {
  type: 'function_call';
  id: string;
  name: string;
  arguments: JsonObject;
  signature?: string;
}

export interface FunctionResultStep {
  type: 'function_result';
  call_id: string;
  result: string | Content[] | JsonObject | JsonValue;
  is_error?: boolean;
  name?: string;
}

export interface CodeExecutionCallStep {
  type: 'code_execution_call';
  id: string;
  arguments: { code?: string; language?: OpenEnum<'python'>; [k: string]: unknown };
  signature?: string;
}

export interface CodeExecutionResultStep {
  type: 'code_execution_result';
  call_id: string;
  /** Text, or content blocks (e.g. an image the code produced). */
  result: string | Content[];
  is_error?: boolean;
  signature?: string;
}

export interface UrlContextCallStep {
  type: 'url_context_call';
  id: string;
  arguments: { urls?: string[]; [k: string]: unknown };
  signature?: string;
}

export interface UrlContextResultItem {
  url?: string;
  status?: OpenEnum<'success' | 'error' | 'paywall' | 'unsafe'>;
  [k: string]: unknown;
}

export interface UrlContextResultStep {
  type: 'url_context_result';
  call_id: string;
  result: UrlContextResultItem[];
  is_error?: boolean;
  signature?: string;
}

export type SearchType = OpenEnum<'web_search' | 'image_search' | 'enterprise_web_search'>;

export interface GoogleSearchCallStep {
  type: 'google_search_call';
  id: string;
  arguments: { queries?: string[]; [k: string]: unknown };
  search_type?: SearchType;
  signature?: string;
}

export interface GoogleSearchResultItem {
  search_suggestions?: string;
  [k: string]: unknown;
}

export interface GoogleSearchResultStep {
  type: 'google_search_result';
  call_id: string;
  result: GoogleSearchResultItem[];
  is_error?: boolean;
  signature?: string;
}

export interface McpServerToolCallStep {
  type: 'mcp_server_tool_call';
  id: string;
  name: string;
  server_name: string;
  arguments: JsonObject;
}

export interface McpServerToolResultStep {
  type: 'mcp_server_tool_result';
  call_id: string;
  result: unknown;
  name?: string;
  server_name?: string;
}

export interface FileSearchCallStep {
  type: 'file_search_call';
  id: string;
  signature?: string;
}

export interface FileSearchResultStep {
  type: 'file_search_result';
  call_id: string;
  result?: unknown[];
  signature?: string;
}

export interface GoogleMapsPlace {
  name?: string;
  place_id?: string;
  url?: string;
  review_snippets?: ReviewSnippet[];
  [k: string]: unknown;
}

export interface GoogleMapsCallStep {
  type: 'google_maps_call';
  id: string;
  arguments?: { queries?: string[]; [k: string]: unknown };
  signature?: string;
}

export interface GoogleMapsResultStep {
  type: 'google_maps_result';
  call_id: string;
  result: Array<{ places?: GoogleMapsPlace[]; widget_context_token?: string; [k: string]: unknown }>;
  signature?: string;
}

export interface RetrievalCallStep {
  type: 'retrieval_call';
  id: string;
  arguments: { queries?: string[]; [k: string]: unknown };
  retrieval_type?: string;
  signature?: string;
}

export interface RetrievalResultStep {
  type: 'retrieval_result';
  call_id: string;
  is_error?: boolean;
  signature?: string;
}

export interface ProcessingCallStep {
  type: 'processing_call';
  id: string;
  signature?: string;
}

export interface ProcessingResultStep {
  type: 'processing_result';
  call_id: string;
  signature?: string;
}

/** Arguments of a `tool_search_call`: the deferred functions to load by name. */
export interface ToolSearchArguments {
  function_names?: string[];
  [k: string]: unknown;
}

/** A server-side search over deferred (`defer_loading`) tools (both 3.6.1 SDKs). */
export interface ToolSearchCallStep {
  type: 'tool_search_call';
  id: string;
  arguments: ToolSearchArguments;
  signature?: string;
}

export interface ToolSearchResultStep {
  type: 'tool_search_result';
  call_id: string;
  /** The function declarations the search loaded (`type: "function"`). */
  result?: FunctionTool[];
  signature?: string;
}

export type KnownStep =
  | UserInputStep
  | ModelOutputStep
  | ThoughtStep
  | FunctionCallStep
  | FunctionResultStep
  | CodeExecutionCallStep
  | CodeExecutionResultStep
  | UrlContextCallStep
  | UrlContextResultStep
  | GoogleSearchCallStep
  | GoogleSearchResultStep
  | McpServerToolCallStep
  | McpServerToolResultStep
  | FileSearchCallStep
  | FileSearchResultStep
  | GoogleMapsCallStep
  | GoogleMapsResultStep
  | RetrievalCallStep
  | RetrievalResultStep
  | ProcessingCallStep
  | ProcessingResultStep
  | ToolSearchCallStep
  | ToolSearchResultStep;

export type Step = KnownStep | UnknownVariant;
export type StepType = KnownStep['type'];

/** The 23 known step types. */
export const STEP_TYPES: readonly StepType[] = [
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
  'tool_search_call',
  'tool_search_result',
];

// ---------------------------------------------------------------------------------------------
// Deltas (28 + unknown)

export interface TextDelta {
  type: 'text';
  text: string;
}
export interface ImageDelta extends Omit<ImageContent, 'type'> {
  type: 'image';
}
export interface AudioDelta extends Omit<AudioContent, 'type'> {
  type: 'audio';
  /** @deprecated use `sample_rate` */
  rate?: number;
}
export interface DocumentDelta extends Omit<DocumentContent, 'type'> {
  type: 'document';
}
export interface VideoDelta extends Omit<VideoContent, 'type'> {
  type: 'video';
}
export interface ThoughtSummaryDelta {
  type: 'thought_summary';
  content?: TextContent | ImageContent | UnknownVariant;
}
export interface ThoughtSignatureDelta {
  type: 'thought_signature';
  signature?: string;
}
export interface TextAnnotationDelta {
  type: 'text_annotation_delta';
  annotations?: Annotation[];
}
/** A fragment of a function call's JSON arguments; concatenate all, parse at `step.stop`. */
export interface ArgumentsDelta {
  type: 'arguments_delta';
  arguments?: string;
  /** Name used between 2026-05-05 and 2026-05-11. */
  partial_arguments?: string;
}
export interface CodeExecutionCallDelta {
  type: 'code_execution_call';
  arguments: CodeExecutionCallStep['arguments'];
  signature?: string;
}
export interface UrlContextCallDelta {
  type: 'url_context_call';
  arguments: UrlContextCallStep['arguments'];
  signature?: string;
}
export interface GoogleSearchCallDelta {
  type: 'google_search_call';
  arguments: GoogleSearchCallStep['arguments'];
  search_type?: SearchType;
  signature?: string;
}
export interface McpServerToolCallDelta {
  type: 'mcp_server_tool_call';
  arguments: JsonObject;
  name: string;
  server_name: string;
}
export interface FileSearchCallDelta {
  type: 'file_search_call';
  signature?: string;
}
export interface GoogleMapsCallDelta {
  type: 'google_maps_call';
  arguments?: GoogleMapsCallStep['arguments'];
  signature?: string;
}
export interface CodeExecutionResultDelta {
  type: 'code_execution_result';
  /** Text only in a delta (the step's `result` may also be content blocks). */
  result: string;
  is_error?: boolean;
  signature?: string;
}
export interface UrlContextResultDelta {
  type: 'url_context_result';
  result: UrlContextResultItem[];
  is_error?: boolean;
  signature?: string;
}
export interface GoogleSearchResultDelta {
  type: 'google_search_result';
  result: GoogleSearchResultItem[];
  is_error?: boolean;
  signature?: string;
}
export interface McpServerToolResultDelta {
  type: 'mcp_server_tool_result';
  result: unknown;
  name?: string;
  server_name?: string;
}
export interface FileSearchResultDelta {
  type: 'file_search_result';
  result: unknown[];
  signature?: string;
}
export interface GoogleMapsResultDelta {
  type: 'google_maps_result';
  result?: GoogleMapsResultStep['result'];
  signature?: string;
}
export interface FunctionResultDelta {
  type: 'function_result';
  result: FunctionResultStep['result'];
  is_error?: boolean;
  name?: string;
  /** Present in the June 2026 schema only; the step carries it otherwise. */
  call_id?: string;
}
export interface RetrievalCallDelta {
  type: 'retrieval_call';
  arguments: RetrievalCallStep['arguments'];
  retrieval_type?: string;
  signature?: string;
}
export interface RetrievalResultDelta {
  type: 'retrieval_result';
  is_error?: boolean;
  signature?: string;
}
export interface ProcessingCallDelta {
  type: 'processing_call';
  signature?: string;
}
export interface ProcessingResultDelta {
  type: 'processing_result';
  signature?: string;
}

export interface ToolSearchCallDelta {
  type: 'tool_search_call';
  arguments?: ToolSearchArguments;
  signature?: string;
}
export interface ToolSearchResultDelta {
  type: 'tool_search_result';
  result?: FunctionTool[];
  signature?: string;
}

export type KnownDelta =
  | TextDelta
  | ImageDelta
  | AudioDelta
  | DocumentDelta
  | VideoDelta
  | ThoughtSummaryDelta
  | ThoughtSignatureDelta
  | TextAnnotationDelta
  | ArgumentsDelta
  | CodeExecutionCallDelta
  | UrlContextCallDelta
  | GoogleSearchCallDelta
  | McpServerToolCallDelta
  | FileSearchCallDelta
  | GoogleMapsCallDelta
  | CodeExecutionResultDelta
  | UrlContextResultDelta
  | GoogleSearchResultDelta
  | McpServerToolResultDelta
  | FileSearchResultDelta
  | GoogleMapsResultDelta
  | FunctionResultDelta
  | RetrievalCallDelta
  | RetrievalResultDelta
  | ProcessingCallDelta
  | ProcessingResultDelta
  | ToolSearchCallDelta
  | ToolSearchResultDelta;

export type Delta = KnownDelta | UnknownVariant;
export type DeltaType = KnownDelta['type'];

/** The 28 known delta types. */
export const DELTA_TYPES: readonly DeltaType[] = [
  'text',
  'image',
  'audio',
  'document',
  'video',
  'thought_summary',
  'thought_signature',
  'text_annotation_delta',
  'arguments_delta',
  'code_execution_call',
  'url_context_call',
  'google_search_call',
  'mcp_server_tool_call',
  'file_search_call',
  'google_maps_call',
  'code_execution_result',
  'url_context_result',
  'google_search_result',
  'mcp_server_tool_result',
  'file_search_result',
  'google_maps_result',
  'function_result',
  'retrieval_call',
  'retrieval_result',
  'processing_call',
  'processing_result',
  'tool_search_call',
  'tool_search_result',
];

// ---------------------------------------------------------------------------------------------
// Tools (10 + unknown)

export type ToolChoiceMode = OpenEnum<'auto' | 'any' | 'none' | 'validated'>;

export interface FunctionTool {
  type: 'function';
  name?: string;
  description?: string;
  /** One-line description shown to `tool_search` while the full definition stays deferred. */
  short_description?: string;
  /** JSON Schema of the arguments. */
  parameters?: JsonObject;
  /** Load the definition only when `tool_search` picks it. */
  defer_loading?: boolean;
}
export interface GoogleSearchTool {
  type: 'google_search';
  search_types?: SearchType[];
}
export interface CodeExecutionTool {
  type: 'code_execution';
}
export interface UrlContextTool {
  type: 'url_context';
}
export interface ComputerUseTool {
  type: 'computer_use';
  environment?: OpenEnum<'browser' | 'mobile' | 'desktop'>;
  excluded_predefined_functions?: string[];
  enable_prompt_injection_detection?: boolean;
  disabled_safety_policies?: Array<
    OpenEnum<
      | 'financial_transactions'
      | 'sensitive_data_modification'
      | 'communication_tool'
      | 'account_creation'
      | 'data_modification'
      | 'user_consent_management'
      | 'legal_terms_and_agreements'
    >
  >;
}
export interface McpServerTool {
  type: 'mcp_server';
  name?: string;
  /** Full MCP endpoint URL. */
  url?: string;
  headers?: Record<string, string>;
  allowed_tools?: Array<{ mode?: ToolChoiceMode; tools?: string[] }>;
  /** Load the server's tools only when `tool_search` picks them. */
  defer_loading?: boolean;
}
/** Lets the model search deferred (`defer_loading`) tools instead of receiving all definitions. */
export interface ToolSearchTool {
  type: 'tool_search';
  /** `server` (the API searches) or `client` (name/description/parameters describe your own search function). */
  execution?: OpenEnum<'server' | 'client'>;
  name?: string;
  description?: string;
  parameters?: JsonObject;
}
export interface FileSearchTool {
  type: 'file_search';
  file_search_store_names?: string[];
  top_k?: number;
  metadata_filter?: string;
}
export interface GoogleMapsTool {
  type: 'google_maps';
  enable_widget?: boolean;
  latitude?: number;
  longitude?: number;
}
export interface RetrievalTool {
  type: 'retrieval';
  retrieval_types?: Array<OpenEnum<'vertex_ai_search' | 'rag_store' | 'exa_ai_search' | 'parallel_ai_search'>>;
  vertex_ai_search_config?: { engine?: string; datastores?: string[]; [k: string]: unknown };
  rag_store_config?: {
    rag_resources?: Array<{ rag_corpus?: string; rag_file_ids?: string[] }>;
    rag_retrieval_config?: {
      top_k?: number;
      filter?: { metadata_filter?: string; vector_distance_threshold?: number; vector_similarity_threshold?: number };
      hybrid_search?: { alpha?: number };
      ranking?: { ranking_config: OpenEnum<'rank_service'>; model_name?: string };
    };
    similarity_top_k?: number;
    vector_distance_threshold?: number;
    [k: string]: unknown;
  };
  exa_ai_search_config?: { api_key: string; custom_config?: JsonObject };
  parallel_ai_search_config?: { api_key?: string; custom_config?: JsonObject };
}

export type KnownTool =
  FunctionTool | GoogleSearchTool | CodeExecutionTool | UrlContextTool | ComputerUseTool | McpServerTool | FileSearchTool | GoogleMapsTool | RetrievalTool | ToolSearchTool;
export type Tool = KnownTool | UnknownVariant;
export type ToolType = KnownTool['type'];

/** The 10 known tool types. */
export const TOOL_TYPES: readonly ToolType[] = [
  'function',
  'google_search',
  'code_execution',
  'url_context',
  'computer_use',
  'mcp_server',
  'file_search',
  'google_maps',
  'retrieval',
  'tool_search',
];

// ---------------------------------------------------------------------------------------------
// Request configuration

export type ThinkingLevel = OpenEnum<'minimal' | 'low' | 'medium' | 'high' | 'xhigh'>;
export type ThinkingSummaries = OpenEnum<'auto' | 'none'>;

export interface SpeechConfigEntry {
  voice?: string;
  language?: string;
  speaker?: string;
}

export interface GenerationConfig {
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop_sequences?: string[];
  max_output_tokens?: number;
  thinking_level?: ThinkingLevel;
  thinking_summaries?: ThinkingSummaries;
  tool_choice?: ToolChoiceMode | { allowed_tools?: { mode?: ToolChoiceMode; tools?: string[] } };
  speech_config?: SpeechConfigEntry[] | { speakers?: SpeechConfigEntry[]; [k: string]: unknown };
  image_config?: { aspect_ratio?: string; image_size?: OpenEnum<'512' | '1K' | '2K' | '4K'> };
  transcription_config?: {
    mode?: OpenEnum<'smart' | 'verbatim'> | JsonObject;
    language_codes?: string[];
    language_hints?: string[];
    custom_vocabulary?: unknown;
    adaptation_phrases?: unknown;
    diarization_mode?: string;
    timestamp_granularities?: string[];
    [k: string]: unknown;
  };
  video_config?: {
    task?: OpenEnum<'text_to_video' | 'image_to_video' | 'reference_to_video' | 'edit' | 'extend' | 'upscale'>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface DeepResearchAgentConfig {
  type: 'deep-research';
  thinking_summaries?: ThinkingSummaries;
  collaborative_planning?: boolean;
  visualization?: OpenEnum<'off' | 'auto'>;
  enable_bigquery_tool?: boolean;
}

export interface DynamicAgentConfig {
  type: 'dynamic';
  [k: string]: unknown;
}

export interface AntigravityAgentConfig {
  type: 'antigravity';
  model?: string;
  /** int64 encoded as a decimal string. */
  max_total_tokens?: string;
}

export interface CodeMenderSourceFile {
  path?: string;
  content?: string;
}

export interface CodeMenderAgentConfig {
  type: 'code-mender';
  find_request?: { description?: string; finding_id?: string; source_files?: CodeMenderSourceFile[]; mode?: string };
  fix_request?: { description?: string; finding_id?: string; source_files?: CodeMenderSourceFile[] };
  model?: string;
  session_config?: { max_rounds?: number; [k: string]: unknown };
  session_id?: string;
}

export type KnownAgentConfig = DeepResearchAgentConfig | DynamicAgentConfig | AntigravityAgentConfig | CodeMenderAgentConfig;
export type AgentConfig = KnownAgentConfig | UnknownVariant;

export interface TextResponseFormat {
  type: 'text';
  mime_type?: OpenEnum<'application/json' | 'text/plain'>;
  schema?: JsonObject;
}
export interface ImageResponseFormat {
  type: 'image';
  aspect_ratio?: string;
  image_size?: OpenEnum<'512' | '1K' | '2K' | '4K'>;
  mime_type?: OpenEnum<'image/jpeg'>;
  delivery?: OpenEnum<'inline' | 'uri'>;
}
export interface AudioResponseFormat {
  type: 'audio';
  mime_type?: OpenEnum<'audio/mp3' | 'audio/ogg_opus' | 'audio/l16' | 'audio/wav' | 'audio/alaw' | 'audio/mulaw'>;
  sample_rate?: number;
  bit_rate?: number;
  delivery?: OpenEnum<'inline' | 'uri'>;
}
export interface VideoResponseFormat {
  type: 'video';
  aspect_ratio?: OpenEnum<'16:9' | '9:16'>;
  resolution?: OpenEnum<'360p' | '720p' | '1080p' | '4k'>;
  duration?: string | number;
  delivery?: OpenEnum<'inline' | 'uri'>;
  gcs_uri?: string;
}
/** One response_format entry: a typed entry or a raw JSON Schema object. */
export type ResponseFormatEntry = TextResponseFormat | ImageResponseFormat | AudioResponseFormat | VideoResponseFormat | JsonObject;
/** `response_format` is a single entry or an array of entries. */
export type ResponseFormat = ResponseFormatEntry | ResponseFormatEntry[];

export type ServiceTier = OpenEnum<'flex' | 'standard' | 'priority' | 'deferred'>;

export interface SafetySetting {
  type: string;
  threshold: string;
  method?: string;
}

export interface WebhookConfig {
  uris?: string[];
  user_metadata?: JsonObject;
}

export interface EnvironmentConfig {
  type: OpenEnum<'remote'>;
  /** Who runs the environment (google-genai 3.6.1). */
  mode?: OpenEnum<'on_demand' | 'self_hosted'>;
  custom_config?: JsonObject;
  environment_id?: string;
  network?: OpenEnum<'disabled'> | { allowlist?: Array<{ domain: string; transform?: unknown; credential?: string }> | OpenEnum<'disabled'> };
  sources?: Array<{
    type?: OpenEnum<'gcs' | 'inline' | 'repository' | 'skill_registry'>;
    source?: string;
    target?: string;
    content?: string;
    encoding?: string;
  }>;
  env?: Record<string, string | { value?: string; credential?: string }>;
  [k: string]: unknown;
}

/** `input`: a string, one content block, a content list, or a step history. */
export type InteractionInput = string | Content | Content[] | Step[];

/** Fields shared by the model and agent create bodies. */
export interface CreateInteractionCommon {
  input?: InteractionInput;
  system_instruction?: string;
  tools?: Tool[];
  background?: boolean;
  store?: boolean;
  stream?: boolean;
  previous_interaction_id?: string;
  response_format?: ResponseFormat;
  /** @deprecated use `response_format` */
  response_mime_type?: string;
  /** @deprecated use `response_format` */
  response_modalities?: Array<OpenEnum<'text' | 'image' | 'audio' | 'video' | 'document'>>;
  service_tier?: ServiceTier;
  safety_settings?: SafetySetting[];
  /** Keys and values ≤63 characters of lowercase letters (international ones too), digits, `_` and `-`; keys start with a letter. */
  labels?: Record<string, string>;
  environment?: string | EnvironmentConfig;
  webhook_config?: WebhookConfig;
  continuation_token?: string;
}

/** A create body for a model turn. */
export interface ModelCreateRequest extends CreateInteractionCommon {
  /** A model id (`KNOWN_MODELS` lists the SDKs' ids; any string is sent). */
  model: OpenEnum<KnownModel>;
  agent?: never;
  agent_config?: never;
  generation_config?: GenerationConfig;
  /** @deprecated `cachedContents/{id}` */
  cached_content?: string;
}

/** A create body for an agent run (e.g. Deep Research). */
export interface AgentCreateRequest extends CreateInteractionCommon {
  /** An agent id: `CURRENT_AGENTS`, or a custom agent's id (`RETIRED_AGENTS` are refused by the API). */
  agent: OpenEnum<CurrentAgent>;
  model?: never;
  generation_config?: never;
  agent_config?: AgentConfig;
}

export type CreateInteractionRequest = ModelCreateRequest | AgentCreateRequest;

// ---------------------------------------------------------------------------------------------
// The Interaction resource

export interface InteractionErrorEntry {
  code?: string | number;
  message?: string;
}

export interface Interaction {
  id: string;
  status: InteractionStatus;
  model?: string;
  agent?: string;
  created?: string;
  updated?: string;
  steps?: Step[];
  usage?: Usage;
  previous_interaction_id?: string;
  input?: InteractionInput;
  agent_config?: AgentConfig;
  generation_config?: GenerationConfig;
  system_instruction?: string;
  tools?: Tool[];
  response_format?: ResponseFormat;
  response_mime_type?: string;
  response_modalities?: string[];
  service_tier?: ServiceTier;
  webhook_config?: WebhookConfig;
  environment?: string | EnvironmentConfig;
  environment_id?: string;
  cached_content?: string;
  labels?: Record<string, string>;
  safety_settings?: SafetySetting[];
  errors?: InteractionErrorEntry[];
  continuation_token?: string;
  /** Ids of every continuation hop merged into this interaction (SDK-side merge info). */
  continuation_ids?: string[];
  /** Sent by the server in SSE lifecycle payloads (`"interaction"`). */
  object?: string;
  [k: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Stream events (7 + unknown)

export interface EventMetadata {
  total_usage?: Usage;
  [k: string]: unknown;
}

interface EventBase {
  event_id?: string;
}

export interface InteractionCreatedEvent extends EventBase {
  event_type: 'interaction.created';
  interaction: Interaction;
}

export interface InteractionCompletedEvent extends EventBase {
  event_type: 'interaction.completed';
  interaction: Interaction;
}

export interface InteractionStatusUpdateEvent extends EventBase {
  event_type: 'interaction.status_update';
  interaction_id: string;
  status: InteractionStatus;
  usage?: Usage;
  continuation_token?: string;
}

export interface StepStartEvent extends EventBase {
  event_type: 'step.start';
  index: number;
  step: Step;
}

export interface StepDeltaEvent extends EventBase {
  event_type: 'step.delta';
  index: number;
  delta: Delta;
  /** Running totals of the interaction so far (the SDKs declare `metadata` on `step.delta` only). */
  metadata?: EventMetadata;
}

export interface StepStopEvent extends EventBase {
  event_type: 'step.stop';
  index: number;
  /** The interaction's usage so far. */
  usage?: Usage;
  /** This step's own usage. */
  step_usage?: Usage;
}

export interface ErrorEventBody {
  code?: string | number;
  message?: string;
  /** Google RPC status (e.g. `UNAVAILABLE`) when the error came from a raw error envelope. */
  status?: string;
  details?: unknown[];
}

export interface ErrorEvent extends EventBase {
  event_type: 'error';
  /** Optional in the SDK's type; read it as `event.error?.…`. */
  error?: ErrorEventBody;
}

/** An event type this client does not know; its raw JSON is kept. */
export interface UnknownEvent {
  event_type: string & {};
  event_id?: string;
  [k: string]: unknown;
}

export type KnownInteractionEvent =
  InteractionCreatedEvent | InteractionCompletedEvent | InteractionStatusUpdateEvent | StepStartEvent | StepDeltaEvent | StepStopEvent | ErrorEvent;
export type InteractionEvent = KnownInteractionEvent | UnknownEvent;
export type InteractionEventType = KnownInteractionEvent['event_type'];

/** The 7 known event types. */
export const EVENT_TYPES: readonly InteractionEventType[] = [
  'interaction.created',
  'interaction.completed',
  'interaction.status_update',
  'step.start',
  'step.delta',
  'step.stop',
  'error',
];

// ---------------------------------------------------------------------------------------------
// Webhooks

/** The 7 events both 3.6.1 SDKs list (`WebhookSubscribedEvent`): a cancelled run or batch announces nothing. */
export type WebhookEventType = OpenEnum<
  'batch.succeeded' | 'batch.expired' | 'batch.failed' | 'interaction.requires_action' | 'interaction.completed' | 'interaction.failed' | 'video.generated'
>;

export type WebhookState = OpenEnum<'enabled' | 'disabled' | 'disabled_due_to_failed_deliveries'>;

export interface SigningSecret {
  truncated_secret?: string;
  expire_time?: string;
}

export interface Webhook {
  id?: string;
  name?: string;
  uri?: string;
  subscribed_events?: WebhookEventType[];
  state?: WebhookState;
  signing_secrets?: SigningSecret[];
  /** Returned once, on create. */
  new_signing_secret?: string;
  create_time?: string;
  update_time?: string;
  [k: string]: unknown;
}

export interface WebhookCreateRequest {
  subscribed_events: WebhookEventType[];
  uri: string;
  name?: string;
}

export interface WebhookUpdateRequest {
  name?: string;
  state?: WebhookState;
  subscribed_events?: WebhookEventType[];
  uri?: string;
}

export interface WebhookListParams {
  page_size?: number;
  page_token?: string;
}

export interface WebhookListResponse {
  webhooks?: Webhook[];
  next_page_token?: string;
}

export interface WebhookRotateRequest {
  revocation_behavior?: string;
}

export interface WebhookRotateResponse {
  secret?: string;
}

// ---------------------------------------------------------------------------------------------
// Narrowing guards (needed because the open member defeats `x.type === '…'` narrowing)

/** Narrow a step to one known type. */
export function isStep<T extends StepType>(step: Step | null | undefined, type: T): step is Extract<KnownStep, { type: T }> {
  return step != null && step.type === type;
}

/** Narrow a content block to one known type. */
export function isContent<T extends ContentType>(content: Content | null | undefined, type: T): content is Extract<KnownContent, { type: T }> {
  return content != null && content.type === type;
}

/** Narrow a delta to one known type. */
export function isDelta<T extends DeltaType>(delta: Delta | null | undefined, type: T): delta is Extract<KnownDelta, { type: T }> {
  return delta != null && delta.type === type;
}

/** Narrow an event to one known type. */
export function isEvent<T extends InteractionEventType>(event: InteractionEvent | null | undefined, type: T): event is Extract<KnownInteractionEvent, { event_type: T }> {
  return event != null && event.event_type === type;
}

/** The interaction id an event carries, wherever it carries it (`interaction.id` or `interaction_id`). */
export function eventInteractionId(event: InteractionEvent): string | undefined {
  const e = event as { interaction?: { id?: unknown }; interaction_id?: unknown };
  if (e.interaction && typeof e.interaction.id === 'string') return e.interaction.id;
  if (typeof e.interaction_id === 'string') return e.interaction_id;
  return undefined;
}

/**
 * Statuses after which the server sends no more events for this interaction: the terminal and the
 * waiting ones (see {@link StatusClass}).
 */
export const SETTLED_STATUSES = [...TERMINAL_STATUSES, ...WAITING_STATUSES] as const;

/**
 * The one meaning of "settled" for an interaction: nothing runs remotely any more, because the
 * status is terminal or waits for the client ({@link statusClass} `terminal` or `waiting`).
 */
export function isSettledStatus(status: string | null | undefined): boolean {
  const kind = statusClass(status);
  return kind === 'terminal' || kind === 'waiting';
}

/**
 * True for an event after which a stream may end cleanly: `interaction.completed`, `error`, or a
 * `status_update` to a settled status (see {@link SETTLED_STATUSES}).
 */
export function isTerminalEvent(event: InteractionEvent): boolean {
  switch (event.event_type) {
    case 'interaction.completed':
    case 'error':
      return true;
    case 'interaction.status_update':
      return isSettledStatus((event as InteractionStatusUpdateEvent).status);
    default:
      return false;
  }
}
