import { describe, expect, it } from 'vitest';
import { assertValidIndexName, validateIndexName } from './index-name.js';

describe('validateIndexName', () => {
  it.each([
    ['Upper', 'must be lowercase'],
    ['_x', "must not start with '_', '-', or '+'"],
    ['-x', "must not start with '_', '-', or '+'"],
    ['a#b', "must not contain '#'"],
    ['a:b', "must not contain ':'"],
    ['a*b', 'must not contain the following characters'],
    ['a b', 'must not contain the following characters'],
    ['..', "must not be '.' or '..'"],
  ])('rejects %j with the rule the cluster names', (name, rule) => {
    const reason = validateIndexName(name);
    expect(reason).toContain(`Invalid index name [${name}], `);
    expect(reason).toContain(rule);
  });

  it('rejects names longer than 255 UTF-8 bytes with their byte length', () => {
    expect(validateIndexName('é'.repeat(128))).toBe(
      `Invalid index name [${'é'.repeat(128)}], index name is too long, (256 > 255)`,
    );
  });

  it('checks characters before case, as the cluster does', () => {
    expect(validateIndexName('A*')).toContain('must not contain the following characters');
  });

  it('accepts content and access-control index names', () => {
    expect(validateIndexName('search-docs')).toBeUndefined();
    expect(validateIndexName('.search-acl-filter-search-docs')).toBeUndefined();
  });

  it('throws a ConfigError naming where the bad name came from', () => {
    expect(() => assertValidIndexName('Bad', 'connector.index_name')).toThrow(
      'connector.index_name: Invalid index name [Bad], must be lowercase',
    );
  });
});
