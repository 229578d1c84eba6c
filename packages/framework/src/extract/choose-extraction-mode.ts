/** How document content becomes searchable text. */
export type ExtractionMode = 'pipeline' | 'service' | 'in-process' | 'none';

/** The settings that decide the extraction mode, as the Python service reads them. */
export interface ExtractionModeSettings {
  /** `extraction_service.host` from `config.yml` (unset: no extraction service). */
  readonly extractionServiceHost?: string | undefined;
  /** The connector's `use_text_extraction_service` configuration value. */
  readonly useTextExtractionService?: boolean | undefined;
  /** The connector pipeline's `extract_binary_content`. @default true */
  readonly pipelineExtractBinaryContent?: boolean | undefined;
  /** True when the service runs on the embedded store (no Elasticsearch, hence no ingest pipeline). */
  readonly embedded: boolean;
  /** Extract in-process instead of through the ingest pipeline in Elasticsearch mode. @default false */
  readonly preferInProcess?: boolean | undefined;
}

/**
 * Chooses the extraction mode with the Python service's rules: the extraction service when its host is
 * set and the connector turns `use_text_extraction_service` on; otherwise the ingest pipeline's attachment
 * processor when `extract_binary_content` is on; otherwise none. With no Elasticsearch (embedded mode)
 * there is no pipeline, so in-process extraction takes its place and is the default.
 * Unlike Python, `use_text_extraction_service` without a host does not silently produce empty bodies: it
 * falls through to the next mode.
 */
export function chooseExtractionMode(settings: ExtractionModeSettings): ExtractionMode {
  const host = settings.extractionServiceHost?.trim() ?? '';
  if (host !== '' && settings.useTextExtractionService === true) return 'service';
  const binaryContent = settings.pipelineExtractBinaryContent ?? true;
  if (!binaryContent) return 'none';
  if (settings.embedded || settings.preferInProcess === true) return 'in-process';
  return 'pipeline';
}
