// The one tsup preset every package builds with. Moving to another bundler is a change to this file only.
import { defineConfig } from 'tsup';

/**
 * Build configuration for a workspace package.
 * @param {{ entry: Record<string, string>, jsOnlyEntry?: Record<string, string>, banner?: string, dts?: boolean, external?: string[] }} options
 */
export function definePackageBuild(options) {
  return defineConfig({
    entry: { ...options.entry, ...options.jsOnlyEntry },
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    // Declarations only for the typed entries (JS-only entries such as worker scripts have none).
    dts: (options.dts ?? true) ? { entry: options.entry } : false,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    // Keep `node:` specifiers: some builtins (node:sqlite, node:test) exist only under that prefix.
    removeNodeProtocol: false,
    external: options.external,
    banner: options.banner ? { js: options.banner } : undefined,
    esbuildOptions(esbuild) {
      esbuild.conditions = ['@connectors/source'];
    },
  });
}
