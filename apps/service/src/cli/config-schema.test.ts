import { describe, expect, it } from 'vitest';
import { serviceConfigJsonSchema } from './config-schema.js';

describe('the JSON Schema of config.yml', () => {
  it('describes every top-level key and rejects unknown ones, like the loader', () => {
    const schema = serviceConfigJsonSchema() as {
      properties: Record<string, { properties?: Record<string, { default?: unknown }> }>;
      additionalProperties: unknown;
    };
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        'connector_id',
        'connectors',
        'elasticsearch',
        'extraction_service',
        'service',
        'service_type',
        'sources',
      ].sort(),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.service?.properties?.idling?.default).toBe(30);
    expect(schema.properties.service?.properties?.job_stale_after?.default).toBe(60);
  });
});
