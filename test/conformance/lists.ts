/** The client's variant lists against an SDK's (read from the SDK itself, never written by hand). */
import assert from 'node:assert/strict';
import { CURRENT_AGENTS, KNOWN_MODELS, RETIRED_AGENTS } from '../../src/interactions/models';
import { DELTA_TYPES, EVENT_TYPES, KNOWN_STATUSES, STEP_TYPES, TOOL_TYPES } from '../../src/interactions/types';
import type { SdkLists } from './js-sdk-types';

/** Every variant the SDK lists is one the client knows; the model and agent ids are the SDK's. */
export function assertOurListsCover(sdk: SdkLists, which: string): void {
  const missing = (ours: readonly string[], theirs: string[]) => theirs.filter((t) => !ours.includes(t));
  assert.deepEqual(missing(STEP_TYPES, sdk.steps), [], `${which} steps`);
  assert.deepEqual(missing(DELTA_TYPES, sdk.deltas), [], `${which} deltas`);
  assert.deepEqual(missing(TOOL_TYPES, sdk.tools), [], `${which} tools`);
  assert.deepEqual(missing(EVENT_TYPES, sdk.events), [], `${which} events`);
  assert.deepEqual(missing(KNOWN_STATUSES, sdk.statuses), [], `${which} statuses`);
  assert.deepEqual([...sdk.models].sort(), [...KNOWN_MODELS].sort(), `${which} models`);
  assert.deepEqual([...sdk.agents].sort(), [...CURRENT_AGENTS, ...RETIRED_AGENTS.map((a) => a.id)].sort(), `${which} agents (current and retired)`);
}
