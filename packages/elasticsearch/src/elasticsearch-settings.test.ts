import { describe, expect, it } from 'vitest';
import { ConfigError } from '@connectors/framework';
import { parseElasticsearchSettings, toBulkLimits } from './elasticsearch-settings.js';

describe('parseElasticsearchSettings', () => {
  it('applies the Python defaults', () => {
    const settings = parseElasticsearchSettings({ host: 'http://es:9200' });
    expect(settings).toMatchObject({ request_timeout: 240, max_retries: 5, retry_interval: 10, ssl: true });
    expect(settings.bulk).toMatchObject({ chunk_size: 500, chunk_max_mem_size: 3, max_concurrency: 5 });
    expect(toBulkLimits(settings.bulk)).toEqual({
      maxOperations: 500,
      maxBytes: 3 * 1024 * 1024,
      maxInFlight: 5,
      maxDocumentBytes: 3 * 1024 * 1024,
    });
  });

  it('reports every problem at once with its path', () => {
    let caught: unknown;
    try {
      parseElasticsearchSettings({ bulk: { chunk_size: 'many', max_text_document_size: -1 }, hostname: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught)).toBe(true);
    const issues = (caught as ConfigError).issues.join('\n');
    expect(issues).toContain('elasticsearch.bulk.chunk_size:');
    expect(issues).toContain(
      'elasticsearch.bulk.max_text_document_size: must be 0 (disabled) or a positive number of MiB',
    );
    expect(issues).toMatch(/elasticsearch(\.hostname)?: .*hostname/);
  });
});
