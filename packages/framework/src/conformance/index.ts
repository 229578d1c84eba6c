// The public surface of @connectors/framework/conformance: the vitest-based conformance suite every source
// runs. It lives apart from ./testing so that importing simulators or the memory sink never loads vitest.
export { describeSourceConformance } from '../testing/describe-source-conformance.js';
export type {
  ConformanceMutation,
  InvalidConfigCase,
  SourceConformanceOptions,
} from '../testing/describe-source-conformance.js';
