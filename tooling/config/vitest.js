// Shared vitest settings: resolve workspace packages to their TypeScript sources (no build needed).
import { defineConfig } from 'vitest/config';

/**
 * Test configuration for a workspace package.
 * @param {{ testTimeout?: number, include?: string[], setupFiles?: string[] }} [options]
 */
export function definePackageTests(options = {}) {
  return defineConfig({
    resolve: { conditions: ['@connectors/source'] },
    ssr: { resolve: { conditions: ['@connectors/source'] } },
    test: {
      include: options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: 30_000,
      setupFiles: options.setupFiles,
      pool: 'forks',
      // node:sqlite is flagged experimental on Node 22; its one-line notice is noise in test output.
      poolOptions: {
        forks: { maxForks: 2, minForks: 1, execArgv: ['--disable-warning=ExperimentalWarning'] },
      },
    },
  });
}
