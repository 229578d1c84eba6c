import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  ConfigError,
  checkpoint,
  defineSource,
  skip,
  upsert,
  type ConfigOf,
  type SourceContext,
  type SourceInstance,
} from '@connectors/framework';
import { filesConfigFields } from './files-config.js';
import { walkFiles } from './walk-files.js';

type FilesConfig = ConfigOf<typeof filesConfigFields>;

function createFilesInstance(config: FilesConfig, context: SourceContext): SourceInstance {
  const root = path.resolve(config.root);
  const extensions = new Set((config.extensions ?? []).map((ext) => ext.replace(/^\./, '').toLowerCase()));
  const pageSize = config.page_size ?? 100;

  return {
    async check() {
      const info = await stat(root).catch(() => undefined);
      if (!info?.isDirectory()) {
        throw new ConfigError('[files] Root folder not found', [`root: '${root}' is not a readable folder`]);
      }
    },

    async *listAll({ signal, checkpoint: resumeFrom }) {
      const after = typeof resumeFrom === 'string' ? resumeFrom : undefined;
      let sinceCheckpoint = 0;
      for await (const file of walkFiles(root, {
        after,
        includeHidden: config.include_hidden ?? false,
        signal,
      })) {
        const extension = path.extname(file.relativePath).slice(1).toLowerCase();
        if (extensions.size > 0 && !extensions.has(extension)) continue;
        try {
          const info = await stat(file.absolutePath);
          yield upsert(
            {
              _id: file.relativePath,
              _timestamp: info.mtime.toISOString(),
              title: path.basename(file.relativePath),
              path: file.relativePath,
              extension,
              size: info.size,
              created_at: info.birthtime.toISOString(),
              last_modified: info.mtime.toISOString(),
            },
            {
              filename: path.basename(file.relativePath),
              size: info.size,
              download: async () => createReadStream(file.absolutePath),
            },
          );
        } catch (error) {
          // One unreadable file never stops the listing.
          yield skip(`cannot read ${file.relativePath}: ${(error as Error).message}`, file.relativePath);
        }
        sinceCheckpoint += 1;
        if (sinceCheckpoint >= pageSize) {
          sinceCheckpoint = 0;
          yield checkpoint(file.relativePath);
        }
      }
      context.logger.debug({ root }, 'Listed all files');
    },

    async close() {},
  };
}

/**
 * An example third-party source: every file under a folder becomes a document, its text extracted by the
 * framework. Written only against the public API of `@connectors/framework`.
 */
export const filesSource = defineSource({
  apiVersion: 1,
  id: 'files',
  name: 'Files on disk',
  description: 'Indexes the files under a local folder.',
  capabilities: { incrementalSync: false, accessControl: false, advancedRules: false, binaryContent: true },
  configuration: filesConfigFields,
  create: (config, context) => createFilesInstance(config, context),
});
