import { describe, expect, it } from 'vitest';
import { chooseExtractionMode } from './choose-extraction-mode.js';

describe('chooseExtractionMode', () => {
  it('uses the extraction service when its host is set and the connector asks for it', () => {
    expect(
      chooseExtractionMode({
        extractionServiceHost: 'http://x:8090',
        useTextExtractionService: true,
        embedded: false,
      }),
    ).toBe('service');
    expect(
      chooseExtractionMode({
        extractionServiceHost: 'http://x:8090',
        useTextExtractionService: true,
        embedded: true,
      }),
    ).toBe('service');
  });

  it('uses the ingest pipeline in Elasticsearch mode when the service is not asked for', () => {
    expect(chooseExtractionMode({ extractionServiceHost: 'http://x:8090', embedded: false })).toBe(
      'pipeline',
    );
    expect(chooseExtractionMode({ pipelineExtractBinaryContent: true, embedded: false })).toBe('pipeline');
    expect(chooseExtractionMode({ embedded: false })).toBe('pipeline');
  });

  it('falls through instead of producing empty bodies when the service is asked for without a host', () => {
    expect(chooseExtractionMode({ useTextExtractionService: true, embedded: false })).toBe('pipeline');
    expect(
      chooseExtractionMode({ extractionServiceHost: '  ', useTextExtractionService: true, embedded: true }),
    ).toBe('in-process');
  });

  it('turns extraction off when extract_binary_content is off and no service is used', () => {
    expect(chooseExtractionMode({ pipelineExtractBinaryContent: false, embedded: false })).toBe('none');
    expect(chooseExtractionMode({ pipelineExtractBinaryContent: false, embedded: true })).toBe('none');
  });

  it('extracts in-process by default in embedded mode, and in Elasticsearch mode on request', () => {
    expect(chooseExtractionMode({ embedded: true })).toBe('in-process');
    expect(chooseExtractionMode({ embedded: false, preferInProcess: true })).toBe('in-process');
  });
});
