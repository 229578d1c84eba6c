import { opendir } from 'node:fs/promises';
import path from 'node:path';

/** A file found under the root, with its path relative to the root (always `/`-separated). */
export interface FoundFile {
  readonly relativePath: string;
  readonly absolutePath: string;
}

/**
 * Walks `root` depth-first in sorted order, yielding files whose relative path sorts after `after`
 * (so a listing can resume from a checkpoint). Sorting each folder keeps memory bounded by folder size.
 */
export async function* walkFiles(
  root: string,
  options: { readonly after?: string; readonly includeHidden: boolean; readonly signal: AbortSignal },
): AsyncGenerator<FoundFile> {
  async function* visit(folder: string, prefix: string): AsyncGenerator<FoundFile> {
    const entries: { name: string; isDir: boolean; isFile: boolean }[] = [];
    for await (const entry of await opendir(folder)) {
      if (!options.includeHidden && entry.name.startsWith('.')) continue;
      entries.push({ name: entry.name, isDir: entry.isDirectory(), isFile: entry.isFile() });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      options.signal.throwIfAborted();
      const relativePath = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDir) {
        // Skip whole folders that sort entirely before the checkpoint.
        if (options.after && !options.after.startsWith(`${relativePath}/`) && relativePath < options.after)
          continue;
        yield* visit(path.join(folder, entry.name), relativePath);
      } else if (entry.isFile && (!options.after || relativePath > options.after)) {
        yield { relativePath, absolutePath: path.join(folder, entry.name) };
      }
    }
  }
  yield* visit(root, '');
}
