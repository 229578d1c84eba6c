import { definePackageBuild } from '@connectors/config/tsup';

export default definePackageBuild({
  entry: {
    index: 'src/index.ts',
    'contract/index': 'src/contract/index.ts',
    'bin/es-fake': 'src/bin/es-fake.ts',
  },
});
