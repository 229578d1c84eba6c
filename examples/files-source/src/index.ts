export { filesSource } from './files-source.js';
export { filesConfigFields } from './files-config.js';
