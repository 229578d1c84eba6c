import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeSourceConformance } from '@connectors/framework/conformance';
import { filesSource } from '../src/index.js';

let root = '';

describeSourceConformance({
  source: filesSource,
  setup: async () => {
    root = await mkdtemp(path.join(tmpdir(), 'files-conformance-'));
    await mkdir(path.join(root, 'docs/deep'), { recursive: true });
    for (let i = 0; i < 30; i += 1) {
      await writeFile(path.join(root, 'docs', `note-${String(i).padStart(2, '0')}.txt`), `note number ${i}`);
    }
    await writeFile(path.join(root, 'docs/deep/readme.md'), '# deep readme');
  },
  teardown: async () => {
    await rm(root, { recursive: true, force: true });
  },
  validConfig: () => ({ root, page_size: 7 }),
  invalidConfigs: [
    { name: 'a page size of zero', values: { root: '/tmp', page_size: 0 }, field: 'page_size' },
    {
      name: 'a page size that is not a number',
      values: { root: '/tmp', page_size: 'many' },
      field: 'page_size',
    },
  ],
  mutate: async () => {
    await rm(path.join(root, 'docs/note-03.txt'));
    return { deleted: ['docs/note-03.txt'] };
  },
});
