/**
 * `gemini-jobs/emulator`: a local Gemini Interactions API emulator (real HTTP, real wire format)
 * for tests, load tests and demos. See README.md in this folder.
 */
export { startEmulator } from './emulator';
export type { Emulator, EmulatorOptions, EmulatorCounters, EmulatedInteractionInfo, InteractionCounters } from './emulator';
export { BUILTIN_SCENARIOS, FAULT_KINDS, parseFaultHeader } from './faults';
export type { FaultKind, FaultPlan, FaultRule, RouteName } from './faults';
export type { WebhookDeliveryOptions, DeliveryCounters } from './delivery';
export type { EmulatorClock } from './scheduler';
