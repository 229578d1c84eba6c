import type { Filter, SyncRule } from '../control-plane/records.js';

/** The id of the catch-all rule every filter carries (never evaluated). */
export const DEFAULT_RULE_ID = 'DEFAULT';

/** A basic rule ready for evaluation: `rule` lower-cased, sorted by `order`. */
export interface BasicRule {
  readonly id: string;
  readonly policy: 'include' | 'exclude';
  readonly field: string;
  readonly rule: SyncRule['rule'];
  readonly value: string;
  readonly order: number;
}

/**
 * Parses a filter's basic rules for evaluation (spec 6.1): drops the `DEFAULT` catch-all and sorts the rest
 * by `order` ascending (stable). Rules are expected to be validated already (see `validateBasicRules`).
 */
export function parseBasicRules(filter: Pick<Filter, 'rules'> | undefined | null): BasicRule[] {
  const rules = filter?.rules ?? [];
  return rules
    .filter((rule) => rule.id !== DEFAULT_RULE_ID)
    .map((rule) => ({
      id: String(rule.id),
      policy: String(rule.policy).toLowerCase() === 'exclude' ? ('exclude' as const) : ('include' as const),
      field: String(rule.field),
      rule: String(rule.rule).toLowerCase() as SyncRule['rule'],
      value: String(rule.value),
      order: Number(rule.order),
    }))
    .sort((a, b) => a.order - b.order);
}
