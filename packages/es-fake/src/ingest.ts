import { errorCause, unsupported, type EsErrorCause } from './es-error.js';
import type { PipelineDefinition } from './fake-context.js';
import { isPlainObject } from './mapping.js';

const SEARCH_PIPELINE_PROCESSORS = [
  {
    attachment: {
      description: 'Extract text from binary attachments',
      field: '_attachment',
      target_field: '_extracted_attachment',
      ignore_missing: true,
      indexed_chars_field: '_attachment_indexed_chars',
      if: 'ctx?._extract_binary_content == true',
      on_failure: [],
    },
  },
  {
    set: {
      tag: 'set_body',
      description: "Set any extracted text on the 'body' field",
      field: 'body',
      copy_from: '_extracted_attachment.content',
      ignore_empty_value: true,
      if: 'ctx?._extract_binary_content == true',
    },
  },
  {
    gsub: {
      tag: 'remove_replacement_chars',
      field: 'body',
      pattern: '�',
      replacement: '',
      ignore_missing: true,
      if: 'ctx?._extract_binary_content == true',
    },
  },
  {
    gsub: {
      tag: 'remove_extra_whitespace',
      field: 'body',
      pattern: '\\s+',
      replacement: ' ',
      ignore_missing: true,
      if: 'ctx?._reduce_whitespace == true',
    },
  },
  { trim: { field: 'body', ignore_missing: true, if: 'ctx?._reduce_whitespace == true' } },
  {
    remove: {
      tag: 'remove_meta_fields',
      ignore_missing: true,
      field: [
        '_attachment',
        '_attachment_indexed_chars',
        '_extracted_attachment',
        '_extract_binary_content',
        '_reduce_whitespace',
        '_run_ml_inference',
      ],
    },
  },
];

/** The pipelines a real cluster ships for search connectors (pre-registered in the fake). */
export const DEFAULT_PIPELINES: Readonly<Record<string, PipelineDefinition>> = {
  'search-default-ingestion': {
    description: 'Generic Enterprise Search ingest pipeline',
    version: 1,
    _meta: { managed_by: 'Search', managed: true },
    processors: SEARCH_PIPELINE_PROCESSORS,
  },
  'ent-search-generic-ingestion': {
    description: 'Generic Enterprise Search ingest pipeline',
    version: 1,
    _meta: { managed_by: 'Enterprise Search', managed: true },
    processors: SEARCH_PIPELINE_PROCESSORS,
  },
};

const SIMPLE_PROCESSORS = new Set(['set', 'remove', 'rename', 'lowercase', 'uppercase', 'trim']);

/** Validates a pipeline body for `PUT _ingest/pipeline/{id}` (unsupported processors → 400 `fake: unsupported`). */
export function validatePipeline(id: string, body: Record<string, unknown>): void {
  if (id in DEFAULT_PIPELINES) return;
  const processors = body.processors;
  if (processors !== undefined && !Array.isArray(processors))
    throw unsupported('pipeline without a processors array');
  for (const p of (processors as unknown[] | undefined) ?? []) {
    const name = isPlainObject(p) ? Object.keys(p)[0] : undefined;
    if (name === undefined || !SIMPLE_PROCESSORS.has(name))
      throw unsupported(`ingest processor [${String(name)}]`);
  }
}

function getPath(doc: Record<string, unknown>, path: string): unknown {
  let node: unknown = doc;
  for (const seg of path.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[seg];
  }
  return node;
}

function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const segs = path.split('.');
  let node = doc;
  for (const seg of segs.slice(0, -1)) {
    const next = node[seg];
    if (!isPlainObject(next)) node[seg] = {};
    node = node[seg] as Record<string, unknown>;
  }
  node[segs[segs.length - 1] ?? path] = value;
}

function removePath(doc: Record<string, unknown>, path: string): boolean {
  const segs = path.split('.');
  let node: unknown = doc;
  for (const seg of segs.slice(0, -1)) {
    if (!isPlainObject(node)) return false;
    node = node[seg];
  }
  const last = segs[segs.length - 1] ?? path;
  if (!isPlainObject(node) || !(last in node)) return false;
  delete node[last];
  return true;
}

/** Runs a pipeline on a source document in place; returns an item-level error cause on failure. */
export function runPipeline(
  id: string,
  def: PipelineDefinition,
  source: Record<string, unknown>,
): EsErrorCause | undefined {
  if (id in DEFAULT_PIPELINES || def.processors === SEARCH_PIPELINE_PROCESSORS) {
    runSearchPipeline(source);
    return undefined;
  }
  for (const p of (def.processors as Record<string, Record<string, unknown>>[] | undefined) ?? []) {
    const [name, cfg] = Object.entries(p)[0] ?? [];
    if (name === undefined || cfg === undefined) continue;
    const field = cfg.field;
    const ignoreMissing = cfg.ignore_missing === true;
    const missing = (f: string): EsErrorCause =>
      errorCause('illegal_argument_exception', `field [${f}] not present as part of path [${f}]`);
    switch (name) {
      case 'set':
        if (typeof field === 'string')
          setPath(
            source,
            field,
            cfg.copy_from !== undefined ? getPath(source, String(cfg.copy_from)) : cfg.value,
          );
        break;
      case 'remove':
        for (const f of Array.isArray(field) ? field.map(String) : [String(field)]) {
          if (!removePath(source, f) && !ignoreMissing) return missing(f);
        }
        break;
      case 'rename': {
        const f = String(field);
        const v = getPath(source, f);
        if (v === undefined) {
          if (!ignoreMissing) return missing(f);
          break;
        }
        removePath(source, f);
        setPath(source, String(cfg.target_field), v);
        break;
      }
      default: {
        const f = String(field);
        const v = getPath(source, f);
        if (typeof v !== 'string') {
          if (v === undefined && ignoreMissing) break;
          return missing(f);
        }
        setPath(
          source,
          f,
          name === 'lowercase' ? v.toLowerCase() : name === 'uppercase' ? v.toUpperCase() : v.trim(),
        );
      }
    }
  }
  return undefined;
}

/** Emulates the search connectors' default pipeline: `_attachment` → `body`, whitespace reduction, meta-field removal. */
function runSearchPipeline(source: Record<string, unknown>): void {
  if (source._extract_binary_content === true && typeof source._attachment === 'string') {
    const text = Buffer.from(source._attachment, 'base64')
      .toString('utf8')
      .replace(/\uFFFD/g, '');
    if (text !== '') source.body = text;
  }
  if (source._reduce_whitespace === true && typeof source.body === 'string') {
    source.body = source.body.replace(/\s+/g, ' ').trim();
  }
  for (const f of [
    '_attachment',
    '_attachment_indexed_chars',
    '_extracted_attachment',
    '_extract_binary_content',
    '_reduce_whitespace',
    '_run_ml_inference',
  ]) {
    delete source[f];
  }
}

/** Resolves the pipeline for a write: explicit param, else the index default; `_none` disables. */
export function pipelineFor(
  pipelines: ReadonlyMap<string, PipelineDefinition>,
  explicit: string | undefined,
  indexDefault: string | undefined,
): { id: string; def: PipelineDefinition } | { error: EsErrorCause } | undefined {
  const id = explicit ?? indexDefault;
  if (id === undefined || id === '_none') return undefined;
  const def = pipelines.get(id);
  if (def === undefined)
    return { error: errorCause('illegal_argument_exception', `pipeline with id [${id}] does not exist`) };
  return { id, def };
}
