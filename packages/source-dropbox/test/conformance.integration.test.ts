import { createRetryingFetch } from '@connectors/framework';
import { describeSourceConformance } from '@connectors/framework/conformance';
import { dropboxSource } from '../src/index.js';
import { createDropboxSimulator, type DropboxSimulator } from '../src/simulator/index.js';

let sim: DropboxSimulator | undefined;
const simulator = (): DropboxSimulator => {
  if (!sim) throw new Error('simulator not started');
  return sim;
};

describeSourceConformance({
  source: dropboxSource,
  setup: async () => {
    sim = await createDropboxSimulator({ seed: 61, size: 'small' });
  },
  teardown: async () => {
    await sim?.close();
  },
  context: {
    fetch: createRetryingFetch({
      policy: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 50 },
      timeoutMs: 5000,
    }),
  },
  validConfig: () => ({ ...simulator().configFor(), use_document_level_security: true }),
  badCredentials: () => ({ ...simulator().configFor(), refresh_token: 'not-a-valid-refresh-token' }),
  invalidConfigs: [
    {
      name: 'retry_count not a number',
      values: { app_key: 'a', app_secret: 'b', refresh_token: 'c', retry_count: 'many' },
      field: 'retry_count',
    },
    {
      name: 'unknown key',
      values: { app_key: 'a', app_secret: 'b', refresh_token: 'c', colour: 'red' },
      field: 'colour',
    },
  ],
  mutate: () => {
    const { tenant } = simulator().admin;
    const folder = [...tenant.items.values()].find(
      (i) => tenant.pathOf(i.id) === '/Ada Admin/Private/deep/level 2',
    )!;
    const deleted = [folder.id, ...tenant.descendants(folder.id).map((i) => i.id)];
    simulator().admin.deleteItem('/Ada Admin/Private/deep/level 2');
    return { deleted };
  },
});
