import { describe, expect, it } from 'vitest';
import type { SyncRule } from '../control-plane/records.js';
import { createBasicRuleEvaluator } from './evaluate-basic-rules.js';
import { parseBasicRules } from './parse-basic-rules.js';
import { validateBasicRules } from './validate-basic-rules.js';
import { validateFilter } from './validate-filter.js';

const DEFAULT_RULE: SyncRule = {
  id: 'DEFAULT',
  field: '_',
  policy: 'include',
  rule: 'regex',
  value: '.*',
  order: 0,
};

function rule(partial: Partial<SyncRule> & Pick<SyncRule, 'id'>): SyncRule {
  return { policy: 'include', field: 'name', rule: 'equals', value: 'x', order: 1, ...partial };
}

function decide(rules: SyncRule[], doc: Record<string, unknown>): boolean {
  return createBasicRuleEvaluator(parseBasicRules({ rules })).evaluate(doc).included;
}

describe('parseBasicRules', () => {
  it('drops the DEFAULT rule and sorts by order', () => {
    const parsed = parseBasicRules({
      rules: [
        rule({ id: 'b', order: 5 }),
        DEFAULT_RULE,
        rule({ id: 'a', order: 2, rule: 'REGEX' as SyncRule['rule'] }),
      ],
    });
    expect(parsed.map((r) => [r.id, r.rule])).toEqual([
      ['a', 'regex'],
      ['b', 'equals'],
    ]);
  });
});

describe('basic rule evaluation', () => {
  it('lets the first matching rule decide', () => {
    const rules = [
      rule({ id: 'r1', order: 1, policy: 'exclude', rule: 'starts_with', value: 'tmp' }),
      rule({ id: 'r2', order: 2, policy: 'include', rule: 'contains', value: 'tmp' }),
    ];
    expect(decide(rules, { name: 'tmp-file' })).toBe(false);
    expect(decide(rules, { name: 'my-tmp' })).toBe(true);
  });

  it('includes documents no rule matches', () => {
    expect(decide([rule({ id: 'r', policy: 'exclude', value: 'a' })], { name: 'b' })).toBe(true);
  });

  it('never matches a rule whose field is missing or null', () => {
    const rules = [rule({ id: 'r', policy: 'exclude', field: 'size', rule: '<', value: '100' })];
    expect(decide(rules, { name: 'x' })).toBe(true);
    expect(decide(rules, { size: null })).toBe(true);
    expect(decide(rules, { size: 50 })).toBe(false);
  });

  it('anchors regex at the start only, like re.match', () => {
    const rules = [rule({ id: 'r', policy: 'exclude', rule: 'regex', value: 'ab+' })];
    expect(decide(rules, { name: 'abbbz' })).toBe(false);
    expect(decide(rules, { name: 'zab' })).toBe(true);
  });

  it('compares numbers numerically for equals, < and >', () => {
    const lt = [rule({ id: 'r', policy: 'exclude', field: 'size', rule: '<', value: '10' })];
    expect(decide(lt, { size: 9 })).toBe(false);
    expect(decide(lt, { size: 100 })).toBe(true);
    const eq = [rule({ id: 'r', policy: 'exclude', field: 'size', rule: 'equals', value: '10.0' })];
    expect(decide(eq, { size: 10 })).toBe(false);
  });

  it('compares strings lexicographically for < and >', () => {
    const gt = [rule({ id: 'r', policy: 'exclude', rule: '>', value: 'm' })];
    expect(decide(gt, { name: 'z' })).toBe(false);
    expect(decide(gt, { name: 'a' })).toBe(true);
  });

  it('compares ISO dates as dates', () => {
    const lt = [rule({ id: 'r', policy: 'exclude', field: 'modified', rule: '<', value: '2024-01-01' })];
    expect(decide(lt, { modified: '2023-12-31T23:00:00Z' })).toBe(false);
    expect(decide(lt, { modified: '2024-01-01T00:00:01Z' })).toBe(true);
  });

  it('matches booleans against true/false in any case (the reference never matched)', () => {
    const rules = [rule({ id: 'r', policy: 'exclude', field: 'hidden', value: 'True' })];
    expect(decide(rules, { hidden: true })).toBe(false);
    expect(decide(rules, { hidden: false })).toBe(true);
  });

  it('applies contains/starts_with/ends_with to the text form of the value', () => {
    expect(
      decide([rule({ id: 'r', policy: 'exclude', rule: 'ends_with', value: '.pdf' })], { name: 'a.pdf' }),
    ).toBe(false);
    expect(
      decide([rule({ id: 'r', policy: 'exclude', field: 'n', rule: 'contains', value: '23' })], { n: 1234 }),
    ).toBe(false);
  });

  it('counts matches per rule', () => {
    const evaluator = createBasicRuleEvaluator(
      parseBasicRules({ rules: [rule({ id: 'r', policy: 'exclude', rule: 'starts_with', value: 'a' })] }),
    );
    for (const name of ['a1', 'b', 'a2']) evaluator.evaluate({ name });
    expect(evaluator.matchCounts.get('r')).toBe(2);
  });
});

describe('validateBasicRules', () => {
  it('accepts the DEFAULT rule and well-formed rules', () => {
    expect(validateBasicRules([DEFAULT_RULE, rule({ id: 'r1' })])).toEqual({ state: 'valid', errors: [] });
  });

  it('rejects schema problems naming the rule and the key', () => {
    const result = validateBasicRules([
      { id: 'r1', policy: 'maybe', field: '', rule: 'equals', value: 'x', order: 2 },
    ]);
    expect(result.state).toBe('invalid');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.ids).toEqual(['r1']);
    expect(result.errors[0]?.messages[0]).toContain("Basic rule 3 (id: 'r1')");
    expect(result.errors[0]?.messages[0]).toContain("'field' must be a non-empty string");
    expect(result.errors[0]?.messages[0]).toContain("'policy' must be one of include, exclude");
  });

  it('reports missing keys', () => {
    const result = validateBasicRules([
      { id: 'r1', policy: 'include', field: 'a', rule: 'equals', order: 0 },
    ]);
    expect(result.errors[0]?.messages[0]).toContain("'value' is required");
  });

  it('forbids a match-all regex except on DEFAULT', () => {
    const result = validateBasicRules([
      DEFAULT_RULE,
      rule({ id: 'all', rule: 'regex', value: '(.*)', order: 4 }),
    ]);
    expect(result).toEqual({
      state: 'invalid',
      errors: [
        {
          ids: ['all'],
          messages: ["Basic rule 5 (id: 'all') uses an all-matching regex '(.*)', which is not allowed"],
        },
      ],
    });
  });

  it('reports semantic duplicates regardless of policy, each pair', () => {
    const result = validateBasicRules([
      rule({ id: 'a', policy: 'include', order: 1 }),
      rule({ id: 'b', policy: 'exclude', order: 2 }),
      rule({ id: 'c', field: 'n', order: 3 }),
      rule({ id: 'd', field: 'n', order: 4 }),
    ]);
    expect(result.state).toBe('invalid');
    expect(result.errors.map((e) => e.ids)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(result.errors[0]?.messages).toEqual([
      "Basic rule 2 (id: 'a') is semantically equal to Basic rule 3 (id: 'b')",
    ]);
  });

  it('shortens long ids in messages', () => {
    const result = validateBasicRules([
      rule({ id: 'abcdefghijklmnopqrstuvwxyz', rule: 'regex', value: '.*', order: 0 }),
    ]);
    expect(result.errors[0]?.messages[0]).toContain("(id: 'abcd...wxyz')");
  });
});

describe('validateFilter', () => {
  const capabilities = {
    incrementalSync: false,
    accessControl: false,
    advancedRules: true,
    binaryContent: false,
  };
  const signal = new AbortController().signal;

  it('combines basic errors with the source advanced-rule errors', async () => {
    const result = await validateFilter({
      filter: {
        rules: [rule({ id: 'all', rule: 'regex', value: '.*' })],
        advanced_snippet: { value: { q: 1 } },
      },
      capabilities,
      instance: { validateAdvancedRules: () => Promise.resolve({ errors: ['unknown key q'] }) },
      signal,
    });
    expect(result.state).toBe('invalid');
    expect(result.errors.map((e) => e.ids)).toEqual([['all'], ['advanced_snippet']]);
    expect(result.errors[1]?.messages).toEqual(['unknown key q']);
  });

  it('does not call the advanced validator for an empty snippet', async () => {
    let called = false;
    const result = await validateFilter({
      filter: { rules: [DEFAULT_RULE], advanced_snippet: { value: {} } },
      capabilities,
      instance: {
        validateAdvancedRules: () => {
          called = true;
          return Promise.resolve({ errors: ['x'] });
        },
      },
      signal,
    });
    expect(result).toEqual({ state: 'valid', errors: [] });
    expect(called).toBe(false);
  });

  it('rejects advanced rules for a source without them', async () => {
    const result = await validateFilter({
      filter: { rules: [], advanced_snippet: { value: [{ a: 1 }] } },
      capabilities: { ...capabilities, advancedRules: false },
      signal,
    });
    expect(result.state).toBe('invalid');
    expect(result.errors[0]?.messages[0]).toContain('not supported');
  });
});
