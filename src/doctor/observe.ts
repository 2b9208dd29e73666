/**
 * What the doctor saw on the wire that matters for "does the client know it": every status,
 * event type, step type and delta type, each checked against the client's own lists
 * (`KNOWN_STATUSES`, `EVENT_TYPES`, `STEP_TYPES`, `DELTA_TYPES`), with where it was first seen.
 */
import { DELTA_TYPES, EVENT_TYPES, STEP_TYPES, isKnownStatus } from '../interactions/types';
import type { Interaction, InteractionEvent } from '../interactions/types';
import type { Observed } from './report';

type Kind = 'status' | 'event' | 'step' | 'delta';

export class Observer {
  private readonly seen: Record<Kind, Map<string, string>> = {
    status: new Map(),
    event: new Map(),
    step: new Map(),
    delta: new Map(),
  };

  private note(kind: Kind, value: unknown, where: string): void {
    if (typeof value !== 'string' || value === '') return;
    const map = this.seen[kind];
    if (!map.has(value)) map.set(value, where);
  }

  /** Record a resource read with GET / returned by create or cancel. */
  interaction(i: Interaction | undefined, where: string): void {
    if (!i) return;
    this.note('status', i.status, where);
    for (const step of i.steps ?? []) this.note('step', (step as { type?: unknown }).type, where);
  }

  /** Record one stream event. */
  event(e: InteractionEvent, where: string): void {
    this.note('event', e.event_type, where);
    const any = e as Record<string, unknown>;
    if (typeof any['status'] === 'string') this.note('status', any['status'], where);
    const interaction = any['interaction'] as Interaction | undefined;
    if (interaction && typeof interaction === 'object') this.note('status', interaction.status, where);
    const step = any['step'] as { type?: unknown } | undefined;
    if (step && typeof step === 'object') this.note('step', step.type, where);
    const delta = any['delta'] as { type?: unknown } | undefined;
    if (delta && typeof delta === 'object') this.note('delta', delta.type, where);
  }

  private known(kind: Kind, value: string): boolean {
    switch (kind) {
      case 'status':
        return isKnownStatus(value);
      case 'event':
        return (EVENT_TYPES as readonly string[]).includes(value);
      case 'step':
        return (STEP_TYPES as readonly string[]).includes(value);
      case 'delta':
        return (DELTA_TYPES as readonly string[]).includes(value);
    }
  }

  /** Unknown values of one kind with where each was first seen, e.g. `idle (at model.get)`. */
  unknown(kind: Kind): Array<{ value: string; where: string }> {
    return [...this.seen[kind]].filter(([v]) => !this.known(kind, v)).map(([value, where]) => ({ value, where }));
  }

  summary(): Observed {
    const list = (kind: Kind) => [...this.seen[kind].keys()];
    const unknown = (kind: Kind) => this.unknown(kind).map((u) => u.value);
    return {
      statuses: list('status'),
      eventTypes: list('event'),
      stepTypes: list('step'),
      deltaTypes: list('delta'),
      unknownStatuses: unknown('status'),
      unknownEventTypes: unknown('event'),
      unknownStepTypes: unknown('step'),
      unknownDeltaTypes: unknown('delta'),
    };
  }
}
