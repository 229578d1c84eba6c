/** Fields whose text goes to the `title` column (ranked above the body). */
const TITLE_FIELDS = new Set(['title', 'name', 'subject', 'filename', 'file_name', 'display_name']);

/** Text columns of one document in the full-text table. */
export interface DocumentText {
  readonly title: string;
  readonly body: string;
}

function collect(value: unknown, out: string[], depth: number): void {
  if (depth > 32) return;
  if (typeof value === 'string') {
    if (value !== '') out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, out, depth + 1);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (!key.startsWith('_')) collect(item, out, depth + 1);
    }
  }
}

/**
 * The searchable text of a document: top-level title-like fields (`title`, `name`, `subject`, ...) form the
 * title; every other string, nested ones included, forms the body (path, body, author...). Fields starting
 * with `_` (`_attachment` base64, `_timestamp`, `_allow_access_control`, pipeline flags) and `id` are skipped.
 */
export function toDocumentText(source: Readonly<Record<string, unknown>>): DocumentText {
  const title: string[] = [];
  const body: string[] = [];
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('_') || key === 'id') continue;
    collect(value, TITLE_FIELDS.has(key) ? title : body, 0);
  }
  return { title: title.join('\n'), body: body.join('\n') };
}

/**
 * The DLS principals of a document as stored for filtering, or null when it has none. Matches Elasticsearch's
 * `exists` semantics: a missing, null or empty `_allow_access_control` means "no restriction".
 */
export function toAccessList(source: Readonly<Record<string, unknown>>): string[] | null {
  const raw = source['_allow_access_control'];
  const values = (Array.isArray(raw) ? (raw as unknown[]) : [raw]).filter(
    (value): value is string => typeof value === 'string',
  );
  return values.length === 0 ? null : [...new Set(values)];
}
