// The public surface of @connectors/framework/testing: the conformance kit, a memory sink, fault injection.
export {};
export { FAULT_KINDS, createFaultInjector } from './fault-injection.js';
export type { FaultBody, FaultInjector, FaultInjectorOptions, FaultKind, FaultStats } from './fault-injection.js';
