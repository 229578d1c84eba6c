// Text normalisation shared by the worker thread and the main thread (plain JavaScript, see extract-formats.mjs).

/**
 * Normalises extracted text as the ingest pipeline would: drops U+FFFD and NUL, optionally reduces every
 * whitespace run to one space and trims, then truncates at `maxTextLength` characters (never inside a
 * surrogate pair).
 * @param {string} text
 * @param {{ reduceWhitespace: boolean, maxTextLength: number }} options
 * @returns {{ body: string, truncated: boolean }}
 */
export function normalizeText(text, options) {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what must go
  let body = text.replace(/[\uFFFD\u0000]/g, '');
  if (options.reduceWhitespace) body = body.replace(/\s+/g, ' ').trim();
  if (options.maxTextLength >= 0 && body.length > options.maxTextLength) {
    let end = options.maxTextLength;
    const last = body.charCodeAt(end - 1);
    if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
    return { body: body.slice(0, end), truncated: true };
  }
  return { body, truncated: false };
}
