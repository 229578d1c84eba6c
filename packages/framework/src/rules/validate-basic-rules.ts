import type { FilteringValidation } from '../control-plane/records.js';
import { DEFAULT_RULE_ID } from './parse-basic-rules.js';

const POLICIES = new Set(['include', 'exclude']);
const RULES = new Set(['equals', 'contains', 'starts_with', 'ends_with', 'regex', '<', '>']);
const MATCH_ALL = new Set(['.*', '(.*)']);
const REQUIRED = ['id', 'policy', 'field', 'rule', 'value', 'order'] as const;

/** Shortens long rule ids the way messages show them: `abcd...wxyz`. */
function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 4)}...${id.slice(-4)}` : id;
}

function label(rule: Record<string, unknown>, index: number): string {
  const order = typeof rule['order'] === 'number' ? rule['order'] : index;
  const id = typeof rule['id'] === 'string' ? rule['id'] : '';
  return `Basic rule ${order + 1} (id: '${shortId(id)}')`;
}

function schemaProblems(rule: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of REQUIRED) {
    if (!(key in rule) || rule[key] === undefined || rule[key] === null)
      problems.push(`'${key}' is required`);
  }
  for (const key of ['id', 'field', 'value'] as const) {
    const value = rule[key];
    if (value !== undefined && value !== null && (typeof value !== 'string' || value === '')) {
      problems.push(`'${key}' must be a non-empty string`);
    }
  }
  const policy = rule['policy'];
  if (
    policy !== undefined &&
    policy !== null &&
    !(typeof policy === 'string' && POLICIES.has(policy.toLowerCase()))
  ) {
    problems.push(`'policy' must be one of include, exclude (got ${JSON.stringify(policy)})`);
  }
  const kind = rule['rule'];
  if (kind !== undefined && kind !== null && !(typeof kind === 'string' && RULES.has(kind.toLowerCase()))) {
    problems.push(
      `'rule' must be one of equals, contains, starts_with, ends_with, regex, <, > (got ${JSON.stringify(kind)})`,
    );
  }
  const order = rule['order'];
  if (order !== undefined && order !== null && (typeof order !== 'number' || !Number.isFinite(order))) {
    problems.push(`'order' must be a number`);
  }
  return problems;
}

/**
 * Validates a filter's basic rules like the reference's default validators (spec 6.3), in order: schema
 * (all six keys, non-empty strings, known policy and rule, numeric order), no match-all regex (`.*`, `(.*)`)
 * except on `DEFAULT`, and semantic duplicates (same field, rule and value whatever the policy; unlike the
 * reference, every duplicate pair is reported). Any problem makes the state `invalid`.
 */
export function validateBasicRules(rules: readonly unknown[]): FilteringValidation {
  const errors: FilteringValidation['errors'] = [];
  const valid: { rule: Record<string, unknown>; index: number }[] = [];

  rules.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors.push({ ids: [], messages: [`Basic rule at position ${index + 1} is not an object`] });
      return;
    }
    const rule = raw as Record<string, unknown>;
    const id = typeof rule['id'] === 'string' ? rule['id'] : '';
    const problems = schemaProblems(rule);
    if (problems.length > 0) {
      errors.push({
        ids: id ? [id] : [],
        messages: [`${label(rule, index)} is not valid: ${problems.join('; ')}`],
      });
      return;
    }
    if (
      id !== DEFAULT_RULE_ID &&
      String(rule['rule']).toLowerCase() === 'regex' &&
      MATCH_ALL.has(String(rule['value']))
    ) {
      errors.push({
        ids: [id],
        messages: [
          `${label(rule, index)} uses an all-matching regex '${String(rule['value'])}', which is not allowed`,
        ],
      });
      return;
    }
    if (id !== DEFAULT_RULE_ID) valid.push({ rule, index });
  });

  const seen = new Map<string, { rule: Record<string, unknown>; index: number }>();
  for (const entry of valid) {
    const key = JSON.stringify([
      entry.rule['field'],
      String(entry.rule['rule']).toLowerCase(),
      entry.rule['value'],
    ]);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, entry);
      continue;
    }
    errors.push({
      ids: [String(first.rule['id']), String(entry.rule['id'])],
      messages: [
        `${label(first.rule, first.index)} is semantically equal to ${label(entry.rule, entry.index)}`,
      ],
    });
  }

  return { state: errors.length === 0 ? 'valid' : 'invalid', errors };
}
