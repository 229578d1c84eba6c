// The public surface of @connectors/source-dropbox/simulator.
export { createDropboxSimulator } from './dropbox-simulator.js';
export type {
  DropboxSimulator,
  DropboxSimulatorAdmin,
  DropboxSimulatorOptions,
} from './dropbox-simulator.js';
export { computeGroundTruth, membersAcl } from './ground-truth.js';
export type { GroundTruth, GroundTruthOptions } from './ground-truth.js';
export { SimTenant, dropboxContentHash } from './tenant.js';
export type {
  SimChange,
  SimGroup,
  SimItem,
  SimMember,
  SimMembers,
  SimReceivedFile,
  TenantSize,
} from './tenant.js';
