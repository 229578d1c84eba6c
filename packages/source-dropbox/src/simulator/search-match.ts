import type { SimItem } from './tenant.js';

const CATEGORY: Readonly<Record<string, string>> = {
  png: 'image',
  jpg: 'image',
  gif: 'image',
  pdf: 'pdf',
  txt: 'document',
  md: 'document',
  docx: 'document',
  html: 'document',
  csv: 'spreadsheet',
  xlsx: 'spreadsheet',
  pptx: 'presentation',
  paper: 'paper',
};

/** The search category of an item (`files/search_v2` `file_categories`). */
export function categoryOf(item: SimItem): string {
  if (item.kind === 'folder') return 'folder';
  const ext = item.name.includes('.') ? (item.name.split('.').pop() ?? '').toLowerCase() : '';
  return CATEGORY[ext] ?? 'others';
}

/** The tag of a union given as `"x"` or `{".tag":"x"}`. */
export function tagOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const tag = (value as Record<string, unknown>)['.tag'];
    return typeof tag === 'string' ? tag : undefined;
  }
  return undefined;
}

/** A name/extension/category predicate equivalent to the simulator's search. */
export function createSearchPredicate(
  query: string,
  options: { readonly file_extensions?: unknown; readonly file_categories?: unknown },
): (item: SimItem) => boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const extensions = Array.isArray(options.file_extensions)
    ? (options.file_extensions as unknown[]).map((e) => String(e).toLowerCase().replace(/^\./, ''))
    : undefined;
  const categories = Array.isArray(options.file_categories)
    ? (options.file_categories as unknown[]).map((c) => tagOf(c))
    : undefined;
  return (item) => {
    const name = item.name.toLowerCase();
    if (!words.every((w) => name.includes(w))) return false;
    if (extensions) {
      const ext = item.kind === 'file' && name.includes('.') ? (name.split('.').pop() ?? '') : undefined;
      if (!ext || !extensions.includes(ext)) return false;
    }
    if (categories && !categories.includes(categoryOf(item))) return false;
    return true;
  };
}
