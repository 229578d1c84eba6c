import { describeEsContract } from '../src/contract/index.js';
import { createEsFake } from '../src/index.js';

describeEsContract({
  name: 'fake',
  setup: async () => {
    const es = await createEsFake({
      seed: 42,
      auth: { apiKeys: { 'contract-admin': { key: 'contract-secret' } } },
    });
    return {
      url: es.url,
      auth: { apiKey: { id: 'contract-admin', api_key: 'contract-secret' } },
      faults: es.faults,
      close: () => es.close(),
    };
  },
});

describeEsContract({
  name: 'fake emulating 9.1 without security',
  setup: async () => {
    const es = await createEsFake({ seed: 43, version: '9.1.0' });
    return { url: es.url, faults: es.faults, close: () => es.close() };
  },
});

const url = process.env.ES_URL;
if (url !== undefined && url !== '') {
  describeEsContract({
    name: `real cluster ${url}`,
    setup: async () => {
      const apiKey = process.env.ES_API_KEY;
      const username = process.env.ES_USERNAME;
      const password = process.env.ES_PASSWORD;
      const auth =
        apiKey !== undefined && apiKey !== ''
          ? { apiKey }
          : username !== undefined && password !== undefined
            ? { username, password }
            : undefined;
      return { url, ...(auth !== undefined ? { auth } : {}), close: async () => undefined };
    },
  });
}
