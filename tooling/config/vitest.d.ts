import type { UserConfig } from 'vitest/config';
/** Test configuration for a workspace package. */
export declare function definePackageTests(options?: {
  testTimeout?: number;
  include?: string[];
  setupFiles?: string[];
}): UserConfig;
