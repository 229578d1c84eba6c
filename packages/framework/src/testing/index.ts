// The public surface of @connectors/framework/testing: memory sink and control plane, synthetic source, fault
// injection for simulators. The vitest conformance suite is `@connectors/framework/conformance`.
export { FAULT_KINDS, createFaultInjector } from './fault-injection.js';
export type {
  FaultBody,
  FaultInjector,
  FaultInjectorOptions,
  FaultKind,
  FaultStats,
} from './fault-injection.js';
export { createMemorySink } from './memory-sink.js';
export type { MemorySink, MemorySinkOptions, MemoryWrite } from './memory-sink.js';
export { createSyntheticSource, syntheticSourceFields } from './synthetic-source.js';
export { createGeneratedSource } from './generated-source.js';
export type { GeneratedSourceOptions } from './generated-source.js';
export type { SyntheticItem, SyntheticSource, SyntheticSourceOptions } from './synthetic-source.js';
export { createCapturingLogger, createTestContext } from './create-test-context.js';
export { waitFor } from './wait-for.js';
export type { WaitForOptions } from './wait-for.js';
export type { CapturingLogger } from './create-test-context.js';
export { createMemoryControlPlane, defaultConnectorDoc } from './memory-control-plane.js';
export type { MemoryControlPlane } from './memory-control-plane.js';
