import { createSyntheticSource } from './synthetic-source.js';
import { describeSourceConformance } from './describe-source-conformance.js';

const tenant = createSyntheticSource({ validToken: 'synthetic-secret-token' });
for (let i = 0; i < 45; i += 1) {
  tenant.put({ doc: { _id: `item-${i}`, _timestamp: `v${i}`, title: `Item ${i}` }, content: `text ${i}` });
}

describeSourceConformance({
  source: tenant.definition,
  validConfig: () => ({ token: 'synthetic-secret-token', page_size: 10 }),
  badCredentials: () => ({ token: 'not-the-right-token' }),
  invalidConfigs: [
    { name: 'page size is not a number', values: { token: 'x', page_size: 'ten' }, field: 'page_size' },
  ],
  mutate: () => {
    tenant.delete('item-3');
    tenant.delete('item-40');
    return { deleted: ['item-3', 'item-40'] };
  },
});
