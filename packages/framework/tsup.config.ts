import { definePackageBuild } from '@connectors/config/tsup';

export default definePackageBuild({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'conformance/index': 'src/conformance/index.ts',
  },
  // The extraction worker is loaded by file URL from beside the bundled code.
  jsOnlyEntry: { 'extract-worker': 'src/extract/extract-worker.mjs' },
});
