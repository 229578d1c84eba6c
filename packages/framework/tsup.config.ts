import { definePackageBuild } from '@connectors/config/tsup';

export default definePackageBuild({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'conformance/index': 'src/conformance/index.ts',
  },
  // The worker threads' entries are loaded by file URL from beside the bundled code.
  jsOnlyEntry: {
    'extract-worker': 'src/extract/extract-worker.mjs',
    'store-writer-worker': 'src/embedded/store-writer-worker.mjs',
  },
});
