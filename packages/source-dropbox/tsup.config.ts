import { definePackageBuild } from '@connectors/config/tsup';

export default definePackageBuild({
  entry: { index: 'src/index.ts', 'simulator/index': 'src/simulator/index.ts' },
});
