/** Deepest nesting accepted in a stored document (also stops reference cycles). */
const MAX_DEPTH = 100;

/**
 * Why `value` cannot be stored as JSON (e.g. `field "size" is not a finite number`), or undefined when it
 * can. `undefined` properties are allowed (JSON drops them); anything JSON would silently change is not.
 */
export function findJsonProblem(value: unknown, path = '', depth = 0): string | undefined {
  const where = path === '' ? 'the document' : `field "${path}"`;
  if (depth > MAX_DEPTH) return `${where} is nested deeper than ${MAX_DEPTH} levels (or is circular)`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : `${where} is not a finite number`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      if (item === undefined) return `${where}[${i}] is undefined`;
      const problem = findJsonProblem(item, `${path}[${i}]`, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return `${where} is not a plain JSON object`;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const problem = findJsonProblem(item, path === '' ? key : `${path}.${key}`, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `${where} is a ${typeof value}, not JSON`;
}
