/**
 * The upstream status taxonomy (which interaction statuses are active, waiting, terminal),
 * re-exported so job code reads it from the contract; the classification itself is the wire
 * client's, in src/interactions/types.ts. Job-level statuses are `JobStatus` in ./job.
 */
export {
  ACTIVE_STATUSES,
  WAITING_STATUSES,
  TERMINAL_STATUSES,
  KNOWN_STATUSES,
  SETTLED_STATUSES,
  isKnownStatus,
  isTerminalStatus,
  isWaitingStatus,
  isSettledStatus,
  statusClass,
} from '../interactions/types';
export type { InteractionStatus, StatusClass, TerminalStatus, WaitingStatus, KnownStatus } from '../interactions/types';
