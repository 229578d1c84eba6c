import { describe, expect, it } from 'vitest';
import { ConfigError } from '@connectors/framework';
import { parseServiceConfig } from './load-service-config.js';

function issuesOf(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseServiceConfig(text, { env });
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseServiceConfig', () => {
  it('accepts the Python service config.yml with its defaults', () => {
    const config = parseServiceConfig(
      [
        'elasticsearch:',
        '  host: http://localhost:9200',
        '  api_key: abc123',
        'service.idling: 5',
        'elasticsearch.bulk.chunk_size: 100',
        'connectors:',
        '  - connector_id: 1234',
        '    service_type: dropbox',
      ].join('\n'),
    );
    expect(config.elasticsearch?.bulk.chunk_size).toBe(100);
    expect(config.elasticsearch?.bulk.max_concurrency).toBe(5);
    expect(config.elasticsearch?.bulk.error_monitor.max_error_rate).toBe(0.15);
    expect(config.service.idling).toBe(5);
    expect(config.service.heartbeat).toBe(300);
    expect(config.service.max_file_download_size).toBe(10_485_760);
    expect(config.connectors).toEqual([{ connector_id: '1234', service_type: 'dropbox' }]);
  });

  it('substitutes environment variables with defaults', () => {
    const config = parseServiceConfig(
      'elasticsearch:\n  host: ${ES_HOST:-http://es:9200}\n  password: ${ES_PASSWORD}\n  username: a$$b\n',
      { env: { ES_PASSWORD: 'pw-from-env' } },
    );
    expect(config.elasticsearch?.host).toBe('http://es:9200');
    expect(config.elasticsearch?.password).toBe('pw-from-env');
    expect(config.elasticsearch?.username).toBe('a$b');
  });

  it('reports unknown keys, wrong types and missing variables together with key paths and lines', () => {
    const issues = issuesOf(
      [
        'service:',
        '  idling: soon',
        '  colour: blue',
        'elasticsearch:',
        '  password: ${NOPE}',
        'connectors:',
        '  - connector_id: abc',
      ].join('\n'),
    );
    expect(issues).toEqual([
      'elasticsearch.password (line 5): environment variable NOPE is not set (use ${NOPE:-default} for a default)',
      'elasticsearch.username (line 4): is required when password is set',
      'service.idling (line 2): Invalid input: expected number, received string',
      "service (line 3): unknown key 'colour'",
    ]);
  });

  it('requires a service_type for each connector in embedded mode', () => {
    expect(issuesOf('connectors:\n  - connector_id: abc\n')).toEqual([
      'connectors.0.service_type (line 2): required in embedded mode (no elasticsearch section)',
    ]);
  });

  it('reports invalid YAML with its line', () => {
    const issues = issuesOf('service:\n  idling: [1,\n');
    expect(issues[0]).toMatch(/^line \d+:/);
  });
});
