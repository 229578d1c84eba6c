/** Extensions read as plain text (decoded, not parsed). */
export declare const PLAIN_TEXT_EXTENSIONS: ReadonlySet<string>;
/** Extensions with a dedicated parser. */
export declare const PARSED_EXTENSIONS: ReadonlySet<string>;
/** Limits applied while extracting. */
export interface ExtractTextLimits {
  /** Refuse ZIP-based documents (DOCX, XLSX, PPTX, ODF) declaring more unpacked bytes than this. */
  readonly maxUnpackedBytes?: number;
}
/** Extracts the text of one file; `ext` is lower-cased with its dot. Throws on corrupt or unsupported content. */
export declare function extractText(
  data: Buffer,
  ext: string,
  depth?: number,
  limits?: ExtractTextLimits,
): Promise<string>;
/** Decodes text: byte-order mark, then the declared charset, then UTF-8 if valid, else Windows-1252. */
export declare function decodeText(data: Uint8Array, declared?: string): string;
