import { definePackageTests } from '@connectors/config/vitest';

export default definePackageTests();
