export { describeEsContract } from './describe-es-contract.js';
export type { EsContractOptions, EsContractTarget } from './describe-es-contract.js';
