export { createEsFake } from './server.js';
export type { EsFake, EsFakeOptions, EsFakeState, RequestLogEntry, StoredDocument } from './server.js';
export { Faults } from './faults.js';
export type { BulkItemFaultRule, FaultAction, FaultHandle, FaultMatch, FaultRule } from './faults.js';
export type { AuthOptions, Privileges } from './auth.js';
