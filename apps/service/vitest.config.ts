import { definePackageTests } from '@connectors/config/vitest';

export default definePackageTests({ testTimeout: 120_000 });
