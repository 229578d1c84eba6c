import { ConfigError } from '@connectors/framework';

const FORBIDDEN = ['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ','];

/**
 * Checks `name` with Elasticsearch's own index-name rules, in the cluster's order (spec
 * elasticsearch-wire 3.1). Returns the reason the cluster would give (`Invalid index name [<name>], <rule>`),
 * or undefined when the name is valid.
 */
export function validateIndexName(name: string): string | undefined {
  const invalid = (rule: string): string => `Invalid index name [${name}], ${rule}`;
  if (name.length === 0) return 'Invalid index name [], must not be empty';
  if (FORBIDDEN.some((char) => name.includes(char))) {
    return invalid('must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]');
  }
  if (name.includes('#')) return invalid("must not contain '#'");
  if (name.includes(':')) return invalid("must not contain ':'");
  if (name.startsWith('_') || name.startsWith('-') || name.startsWith('+')) {
    return invalid("must not start with '_', '-', or '+'");
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 255) return invalid(`index name is too long, (${bytes} > 255)`);
  if (name === '.' || name === '..') return invalid("must not be '.' or '..'");
  if (name !== name.toLowerCase()) return invalid('must be lowercase');
  return undefined;
}

/** Throws a ConfigError naming `where` when `name` is not a valid Elasticsearch index name. */
export function assertValidIndexName(name: string, where = 'index_name'): void {
  const problem = validateIndexName(name);
  if (problem) throw new ConfigError('[elasticsearch] Invalid index name', [`${where}: ${problem}`]);
}
