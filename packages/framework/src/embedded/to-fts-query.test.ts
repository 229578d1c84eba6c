import { describe, expect, it } from 'vitest';
import { toFtsQuery } from './to-fts-query.js';

describe('toFtsQuery', () => {
  it('quotes every term and doubles inner quotes', () => {
    expect(toFtsQuery('say "hi" NEAR(x')).toBe('"say" OR """hi""" OR "NEAR(x"');
  });

  it('joins terms with AND for the and operator', () => {
    expect(toFtsQuery('a b', 'and')).toBe('"a" AND "b"');
  });

  it('returns undefined when no term has a letter or digit', () => {
    expect(toFtsQuery('  * - ( ) ')).toBeUndefined();
  });
});
