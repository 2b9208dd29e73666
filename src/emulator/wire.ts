/**
 * The emulator's internal view of wire JSON: loose objects keyed by the wire discriminators.
 * The emulator produces JSON, it does not consume typed SDK objects, so it works on these and
 * exposes the shared `src/interactions/types` at its public boundary.
 */
export interface WireStep {
  type: string;
  [k: string]: unknown;
}

export interface WireEvent {
  event_type: string;
  event_id?: string;
  [k: string]: unknown;
}

export type JsonRecord = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
