/**
 * JSON for an HTTP header as the SDK and Dropbox write it (`Dropbox-API-Arg`, `Dropbox-API-Result`): every
 * code unit from U+007F up escaped as `\uXXXX`, so the header stays ASCII.
 */
export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
