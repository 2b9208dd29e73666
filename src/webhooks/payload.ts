/**
 * The parts of a verified delivery's body that a job needs: event type, interaction id, status
 * and the `user_metadata` naming the job and turn. Read tolerantly, because the exact payload
 * shape of Interactions webhooks is documented only by third parties: `type`/`event_type`, and the
 * interaction under `data` (`data.id`, `data.interaction_id`, `data.interaction.id`) or at the top.
 */
import { WEBHOOK_METADATA_KEYS } from '../contract';

export interface DeliveryFacts {
  eventType: string;
  interactionId?: string;
  status?: string;
  jobId?: string;
  turn?: number;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Facts of a delivery body, or a reason it cannot be used. */
export function deliveryFacts(body: unknown): DeliveryFacts | { problem: string } {
  const top = rec(body);
  if (!top) return { problem: 'the body is not a JSON object' };
  const eventType = str(top['type']) ?? str(top['event_type']);
  if (!eventType) return { problem: 'the body has no type' };
  const data = rec(top['data']) ?? top;
  const interaction = rec(data['interaction']);
  const facts: DeliveryFacts = { eventType };
  const interactionId = str(data['interaction_id']) ?? str(interaction?.['id']) ?? str(data['id']);
  if (interactionId) facts.interactionId = interactionId;
  const status = str(data['status']) ?? str(interaction?.['status']);
  if (status) facts.status = status;
  const metadata = rec(data['user_metadata']) ?? rec(interaction?.['user_metadata']) ?? rec(rec(interaction?.['webhook_config'])?.['user_metadata']) ?? rec(top['user_metadata']);
  const jobId = str(metadata?.[WEBHOOK_METADATA_KEYS.jobId]);
  if (jobId) facts.jobId = jobId;
  const turnRaw = metadata?.[WEBHOOK_METADATA_KEYS.turn];
  const turn = typeof turnRaw === 'number' ? turnRaw : typeof turnRaw === 'string' && /^\d+$/.test(turnRaw) ? Number(turnRaw) : undefined;
  if (turn !== undefined && Number.isInteger(turn) && turn >= 1) facts.turn = turn;
  return facts;
}
