import { describe, expect, it } from 'vitest';
import { parseAdvancedRules } from './advanced-rules.js';

describe('parseAdvancedRules', () => {
  it('treats {} and [] as no rules', () => {
    expect(parseAdvancedRules({})).toEqual({ rules: [], errors: [] });
    expect(parseAdvancedRules([])).toEqual({ rules: [], errors: [] });
  });

  it('accepts the spec example and normalises it for search_v2', () => {
    const { rules, errors } = parseAdvancedRules([
      { query: 'copy', options: { path: '/500_files', file_status: { '.tag': 'active' } } },
      { query: 'dummy', options: { file_extensions: ['.txt'], max_results: '50' } },
      { query: 'manager', options: { file_categories: [{ '.tag': 'paper' }, 'pdf'], order_by: 'relevance' } },
    ]);
    expect(errors).toEqual([]);
    expect(rules).toEqual([
      { query: 'copy', options: { path: '/500_files', file_status: { '.tag': 'active' } } },
      { query: 'dummy', options: { file_extensions: ['txt'], max_results: 50 } },
      {
        query: 'manager',
        options: {
          file_categories: [{ '.tag': 'paper' }, { '.tag': 'pdf' }],
          order_by: { '.tag': 'relevance' },
        },
      },
    ]);
  });

  it('reports each schema problem with its rule index', () => {
    expect(
      parseAdvancedRules([
        { query: '' },
        { query: 'a', options: { file_status: 3 } },
        { query: 'b', options: { max_results: 5000 } },
        { query: 'c', options: { file_categories: [] } },
        'nope',
      ]).errors,
    ).toEqual([
      'rule 0: "query" is required and must be a non-empty string',
      'rule 1: options.file_status must be {".tag": "…"}',
      'rule 2: options.max_results must be an integer between 1 and 1000',
      'rule 3: options.file_categories must be a non-empty array of {".tag": "…"}',
      'rule 4: must be an object',
    ]);
    expect(parseAdvancedRules({ query: 'x' }).errors).toEqual([
      'advanced rules must be an array of rule objects',
    ]);
  });
});
