/** How the terms of a search combine. */
export type SearchOperator = 'or' | 'and';

/**
 * Turns user text into a safe FTS5 MATCH expression: every whitespace-separated term becomes a quoted string
 * (inner quotes doubled), so FTS5 operators, column filters and parentheses typed by the user are plain text.
 * Returns undefined when no term remains (match everything).
 */
export function toFtsQuery(text: string, operator: SearchOperator = 'or'): string | undefined {
  const terms = text
    .split(/\s+/u)
    .map((term) => term.replace(/[\p{Cc}]/gu, ''))
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
    .map((term) => `"${term.replaceAll('"', '""')}"`);
  if (terms.length === 0) return undefined;
  return terms.join(operator === 'and' ? ' AND ' : ' OR ');
}
