// The one tsup preset every package builds with. Moving to another bundler is a change to this file only.
import { defineConfig } from 'tsup';

/**
 * Build configuration for a workspace package.
 * @param {{ entry: Record<string, string> | string[], banner?: string, dts?: boolean, external?: string[] }} options
 */
export function definePackageBuild(options) {
  return defineConfig({
    entry: options.entry,
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    dts: options.dts ?? true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    external: options.external,
    banner: options.banner ? { js: options.banner } : undefined,
    esbuildOptions(esbuild) {
      esbuild.conditions = ['@connectors/source'];
    },
  });
}
