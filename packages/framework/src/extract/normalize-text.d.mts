/** Options of {@link normalizeText}. */
export interface NormalizeTextOptions {
  /** Reduce every whitespace run to one space and trim (the pipeline's `reduce_whitespace`). */
  readonly reduceWhitespace: boolean;
  /** Cap in characters; longer text is cut and flagged as truncated. */
  readonly maxTextLength: number;
}

/** Normalises extracted text (drops U+FFFD and NUL, optional whitespace reduction) and truncates it at the cap. */
export declare function normalizeText(
  text: string,
  options: NormalizeTextOptions,
): { body: string; truncated: boolean };
