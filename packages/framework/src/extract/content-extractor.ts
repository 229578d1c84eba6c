import type { ContentSource } from '../document/document.js';

/** What extraction made of one document's content. */
export type ExtractionResult =
  /** Text extracted in-process or by the extraction service: goes to the document's `body`. */
  | { readonly kind: 'text'; readonly body: string; readonly truncated: boolean }
  /** Base64 of the file for the ingest pipeline's attachment processor: goes to `_attachment`. */
  | { readonly kind: 'attachment'; readonly attachment: string }
  /** The gate refused the file (no extension, an extension we cannot read, extraction off); not a warning. */
  | { readonly kind: 'skipped'; readonly reason: string }
  /** Extraction failed, timed out or the file is over the size limit: a warning on the job; the document is still indexed with its metadata. */
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Turns a document's lazily downloadable content into text or an attachment. Sources never see which
 * mode is on; the engine calls this only for new or changed documents.
 */
export interface ContentExtractor {
  /** Never throws for per-file problems (returns `failed`); throws only an AbortError when `signal` aborts. */
  extract(content: ContentSource, options: { readonly signal: AbortSignal }): Promise<ExtractionResult>;
  /** Stops workers and removes temporary files. */
  close(): Promise<void>;
}
